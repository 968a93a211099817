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
