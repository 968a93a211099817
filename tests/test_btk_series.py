"""Tests of the joint temperature-series fit (nickelates.btk.series, issue 13)."""
import numpy as np
import pytest

from nickelates import btk

BIAS = np.linspace(-80, 80, 241)
NOISE = 0.004
ROWS = [0, 2, 4, 5, 6, 7, 8]          # seven Table 3 temperatures: 3 .. 40 K


def _bcs_series(seed, d10=23.0, d20=6.0, tc=68.0):
    """Spectra synthesized from Table 3 (its T and Gamma_i; Z_i averaged over the rows) with BCS-like gaps."""
    tab = btk.TABLE3[ROWS]
    z1, z2 = btk.TABLE3[:, 3].mean(), btk.TABLE3[:, 4].mean()
    rng = np.random.default_rng(seed)
    spectra = []
    for t, g1, g2 in tab[:, :3]:
        gaps = (btk.Gap(float(btk.gap_bcs([t], d10, tc)[0]), z1, g1, 0.5),
                btk.Gap(float(btk.gap_bcs([t], d20, tc)[0]), z2, g2, 0.5))
        spectra.append((BIAS, btk.conductance_multi(BIAS, gaps, t) + rng.normal(0, NOISE, BIAS.size)))
    return spectra, tab[:, 0]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 8])
def test_series_round_trip_recovers_gaps_and_tc(seed):
    spectra, T = _bcs_series(seed)
    r = btk.fit_series(spectra, T, sigma=NOISE)
    truth = {"delta1_0": 23.0, "delta2_0": 6.0, "Tc": 68.0,
             "ratio1": 2 * 23.0 / (btk.K_B_MEV_PER_K * 68.0), "ratio2": 2 * 6.0 / (btk.K_B_MEV_PER_K * 68.0)}
    assert r.determined, r.problems
    for k, v in truth.items():
        assert abs(r.values[k] - v) < 3.5 * r.stderr[k], (k, r.values[k], r.stderr[k])
    assert r.stderr["Tc"] < 2.0 and 0.8 < r.redchi < 1.2 and r.sigma_source == "given"
    d = r.to_dict()
    assert {"delta1_0", "delta2_0", "Tc"} <= set(d) and set(d["Tc"]) == {"value", "stderr"}
    assert len(r.fits) == 7 and r.fits[0].values["delta1"] == pytest.approx(r.values["delta1_t0"])
    Tg, gaps, errs = r.gaps_vs_temperature()
    assert gaps.shape == (7, 2) and np.all(errs > 0) and np.allclose(Tg, T)
    assert "delta1_0,Tc" in r.correlations or "Tc" in r.report()


@pytest.mark.slow
def test_series_on_table3_rows_vs_paper():
    """Extended Data Table 3 itself (Z falls with T, so one Z per spectrum): Delta(0), Tc as the table's BCS fit.

    The chapter's setting (321 points, 0.4 % noise, seed 2025). With one Z per spectrum Tc is much
    less certain than with a shared barrier (the Z_k absorb part of the gaps' slow decrease).
    """
    rng = np.random.default_rng(2025)
    T = btk.TABLE3[:, 0]
    bias = np.linspace(-80, 80, 321)
    spectra = [(bias, btk.conductance_multi(bias, btk.table3_gaps(t), t) + rng.normal(0, NOISE, bias.size))
               for t in T]
    r = btk.fit_series(spectra, T, sigma=NOISE, shared_barrier=False)
    g1, g2 = btk.table3_gap_temperature()
    assert abs(r.values["delta1_0"] - g1.delta0) < 3 * np.hypot(r.stderr["delta1_0"], g1.delta0_err)
    assert abs(r.values["delta2_0"] - g2.delta0) < 3 * np.hypot(r.stderr["delta2_0"], g2.delta0_err)
    assert abs(r.values["Tc"] - g1.Tc) < 3 * np.hypot(r.stderr["Tc"], g1.Tc_err)
    assert r.stderr["Tc"] > 0.5 and r.determined


def test_series_one_gap_free_gaps_and_bcs():
    T = np.array([5.0, 20.0, 35.0, 45.0, 52.0])
    b = np.linspace(-50, 50, 201)
    rng = np.random.default_rng(1)
    spectra = [(b, btk.conductance(b, float(btk.gap_bcs([t], 15.0, 60.0)[0]), 0.5, 2.0, t)
                + rng.normal(0, 0.003, b.size)) for t in T]
    r = btk.fit_series(spectra, T, n_gaps=1, sigma=0.003, starts=2)
    rf = btk.fit_series(spectra, T, n_gaps=1, sigma=0.003, starts=2, free_gaps=True)
    for res in (r, rf):
        assert res.determined, res.problems
        assert abs(res.values["delta1_0"] - 15.0) < 3.5 * res.stderr["delta1_0"]
        assert abs(res.values["Tc"] - 60.0) < 3.5 * res.stderr["Tc"]
        assert "delta2_0" not in res.to_dict()
    assert rf.free_gaps and rf.gap_temperature is not None and rf.stderr["Tc"] > r.stderr["Tc"]
    # one spectrum's gaps in the free fit are its own parameters
    assert rf.values["delta1_t0"] == pytest.approx(float(btk.gap_bcs([5.0], 15.0, 60.0)[0]), abs=0.1)


def test_series_far_below_tc_does_not_determine_tc():
    T = np.array([2.0, 3.0, 4.0])
    b = np.linspace(-50, 50, 201)
    rng = np.random.default_rng(2)
    spectra = [(b, btk.conductance(b, float(btk.gap_bcs([t], 15.0, 60.0)[0]), 0.5, 2.0, t)
                + rng.normal(0, 0.003, b.size)) for t in T]
    r = btk.fit_series(spectra, T, n_gaps=1, sigma=0.003, starts=1)
    assert not r.determined and any("Tc" in p for p in r.problems) and "NOT DETERMINED" in r.report()


@pytest.mark.parametrize("args,kwargs,exc,word", [
    (([],), {}, ValueError, "at least 2"),
    ((None,), {}, TypeError, "spectra"),
    (("pairs", [1.0]), {}, TypeError, "spectra"),
    ((), dict(temperatures=[3.0]), ValueError, "one temperature per spectrum"),
    ((), dict(temperatures=[3.0, -1.0]), ValueError, "temperatures"),
    ((), dict(sigma=[0.1]), ValueError, "sigma"),
    ((), dict(sigma=-1.0), ValueError, "sigma"),
    ((), dict(n_gaps=3), ValueError, "n_gaps"),
    ((), dict(free_gaps=1), TypeError, "free_gaps"),
    ((), dict(model="dynes", polarization=True), ValueError, "polarization"),
])
def test_series_bad_input(args, kwargs, exc, word):
    b = np.linspace(-10, 10, 41)
    good = [(b, np.ones(41)), (b, np.ones(41))]
    a = list(args) + [good, [3.0, 5.0]][len(args):]
    if a[0] == "pairs":
        a = [[(b,), (b,)], [3.0, 5.0]]
    if "temperatures" in kwargs:
        a = [good, kwargs.pop("temperatures")]
    with pytest.raises(exc, match=word):
        btk.fit_series(*a, **kwargs)


# ------------------------------------------------------------------ the CLI (issue 22): header temperatures, gates
def _dat(path, bias, g, T):
    """A Nanonis .dat spectrum whose header states the microscope temperature."""
    head = ["Experiment\tbias spectroscopy\t", f"Ext. VI 1>Microscope temperature (K)\t{T}\t", "", "[DATA]",
            "Bias calc (V)\tdI/dV (S)"]
    path.write_text("\n".join(head + [f"{x / 1e3:.9E}\t{y:.9E}" for x, y in zip(bias, g)]) + "\n")
    return str(path)


@pytest.mark.slow
def test_series_cli_temperatures_from_headers_and_gates(tmp_path, capsys):
    from nickelates.__main__ import main as cli_main
    import json
    b = np.linspace(-8, 8, 161)
    rng = np.random.default_rng(11)
    temps = [2.0, 5.0, 7.0]
    files = []
    for T in temps:
        gap = float(btk.gap_bcs(T, 1.5, 9.0))
        g = btk.conductance(b, gap, 0.5, 0.2, T) * 1e-6 + rng.normal(0, 0.002e-6, b.size)
        files.append(_dat(tmp_path / f"T{T:g}.dat", b, g, T))
    rc = cli_main(["fit-btk-series", *files, "--gaps", "1", "--no-figure", "-o", str(tmp_path / "ser")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "temperatures: 2 K, 5 K, 7 K (from the headers)" in out and "trust gates: passed" in out
    res = json.loads((tmp_path / "ser.json").read_text())
    assert [i["T_source"] for i in res["inputs"]] == ["header"] * 3 and res["temperatures_K"] == temps
    assert res["delta1_0"]["value"] == pytest.approx(1.5, abs=0.05) and len(res["trust"]) == 3
    # the same files without a gap (a metal): exit 3, the base temperature's spectrum has no gap
    files = [_dat(tmp_path / f"m{T:g}.dat", b, (1 + 0.03 * (b / 8) ** 2 + rng.normal(0, 0.002, b.size)) * 1e-6, T)
             for T in temps]
    rc = cli_main(["fit-btk-series", *files, "--gaps", "1", "--no-figure", "-o", str(tmp_path / "metal")])
    out = capsys.readouterr().out
    res = json.loads((tmp_path / "metal.json").read_text())
    assert rc == 3 and res["status"]["exit_code"] == 3, out
    assert any(p.startswith("m2.dat (T = 2 K): ") for p in res["status"]["problems"])     # a gate's reason
    assert not res["trust"][0]["ok"] and res["trust"][0]["counts"]
