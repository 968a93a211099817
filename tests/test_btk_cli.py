"""Tests of the fit-btk command line, spectrum files, the scripts, the figures and the widget of chapter 4."""
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nickelates import btk, paths
from nickelates.__main__ import main as cli_main

SAMPLE = paths.data_file("btk_sample_spectrum.csv")


def _write(path, text):
    path.write_text(text)
    return str(path)


# ------------------------------------------------------------------ CLI
def test_cli_fits_sample_and_refuses_overwrite(tmp_path, capsys):
    csv = tmp_path / "spec.csv"
    csv.write_text(SAMPLE.read_text())
    rc = cli_main(["fit-btk", str(csv), "--gaps", "2", "--symmetry", "s,s", "--temperature", "3",
                   "--starts", "3"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads((tmp_path / "spec_btk.json").read_text())
    assert set(res) == {"input", "n_points", "bias_unit_in_file", "bias_unit_source", "columns", "units",
                        "normalization", "model", "fit", "input_file", "sigma", "status", "figure",
                        "temperature", "lockin", "trust"}                # issue 22: new blocks, old ones unchanged
    assert res["temperature"] == {"value_K": 3.0, "source": "flag", "header_K": None, "fitted": False}
    assert res["trust"]["ok"] is True and res["trust"]["metrics"]["delta_bic"] > 100
    assert res["lockin"]["used"] is False
    assert res["input"] == str(csv) and res["input_file"]["merged_points"] == 0
    assert res["fit"]["determined"] is True and res["fit"]["problems"] == []
    assert res["fit"]["sigma_source"] == "residuals" and res["sigma"]["source"] == "residuals"
    assert res["status"] == {"exit_code": 0, "determined": True, "problems": []}
    assert res["figure"] == str(tmp_path / "spec_btk.png") and res["fit"]["redchi"] > 0
    p = res["fit"]["parameters"]
    assert p["delta1"]["value"] == pytest.approx(23.0, abs=0.5)
    assert p["delta2"]["value"] == pytest.approx(6.0, abs=0.6)
    assert p["delta1"]["stderr"] > 0 and p["delta1"]["unit"] == "meV"
    assert (tmp_path / "spec_btk.png").stat().st_size > 1000
    assert "delta1" in out and "+/-" in out
    mtime = (tmp_path / "spec_btk.json").stat().st_mtime_ns
    rc = cli_main(["fit-btk", str(csv), "--temperature", "3"])
    err = capsys.readouterr().err
    assert rc == 2 and "--force" in err
    assert (tmp_path / "spec_btk.json").stat().st_mtime_ns == mtime


def test_cli_outer_normalization_one_gap(tmp_path, capsys):
    b = np.linspace(-20, 20, 201)
    G = btk.conductance(b, 1.5, 0.43, 0.2, 3.0) * (1 + 1e-3 * b ** 2)
    path = _write(tmp_path / "nb.txt", "\n".join(f"{x:.4f} {y:.6f}" for x, y in zip(b, G)))
    rc = cli_main(["fit-btk", path, "--gaps", "1", "-T", "3", "--normalize", "outer", "--starts", "1",
                   "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0 and "then divided" in out and not (tmp_path / "nb_btk.png").exists()
    res = json.loads((tmp_path / "nb_btk.json").read_text())
    assert res["normalization"]["degree"] == 2 and res["bias_unit_source"].startswith("default")
    assert res["fit"]["parameters"]["delta1"]["value"] == pytest.approx(1.5, abs=0.05)


def _good_lines(n=40, sep=","):
    v = np.linspace(-50, 50, n)
    return [f"{x:.3f}{sep}{1 + 0.1 * math.exp(-x * x / 200):.5f}" for x in v]


@pytest.mark.parametrize("name,lines,pattern", [
    ("missing_column", ["bias (mV),dI/dV"] + _good_lines()[:10] + ["1.0"] + _good_lines()[10:],
     r"line 12: expected at least 2 columns"),
    ("non_numeric", ["bias,G"] + _good_lines()[:5] + ["0.5,abc"] + _good_lines()[5:],
     r"line 7, column 2 \(G\): cannot read 'abc'"),
    ("too_few", ["bias,G"] + _good_lines(10), r"only 10 data points"),
    ("non_monotonic", ["# comment", "bias,G"] + _good_lines()[:20] + ["-45.0,1.0"] + _good_lines()[20:],
     r"line 23: bias is not monotonic"),
    ("volts_no_unit", [f"{x / 1e4:.6f},1.0" for x in np.linspace(-50, 50, 40)],
     r"no unit and spans only .*--bias-unit V"),
    ("decimal_commas", ["bias;G"] + [ln.replace(",", ";").replace(".", ",") for ln in _good_lines()],
     r"--decimal-comma"),
    ("several_didv", ["bias (mV),G 1T,G 2T"] + [ln + ",1.0" for ln in _good_lines()], r"several dI/dV.*--didv-column"),
    ("nan_cell", _good_lines()[:3] + ["1.0,nan"] + _good_lines()[3:], r"line 4, column 2 .* not finite"),
    ("no_columns_named", ["time,current"] + _good_lines(), r"cannot tell which column is the bias"),
])
def test_cli_rejects_malformed_files(tmp_path, capsys, name, lines, pattern):
    path = _write(tmp_path / f"{name}.csv", "\n".join(lines) + "\n")
    rc = cli_main(["fit-btk", path, "--temperature", "3"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ")
    assert re.search(pattern, err), err
    assert not (tmp_path / f"{name}_btk.json").exists()
    with pytest.raises(btk.SpectrumFileError, match=pattern):
        btk.read_spectrum(path)


def test_read_spectrum_units_delimiters_and_order(tmp_path):
    v = np.linspace(0.05, -0.05, 30)  # volts, decreasing
    txt = "V [V]\tdI/dV [uS]\n" + "\n".join(f"{x:.5f}\t{2 + x:.4f}" for x in v)
    s = btk.read_spectrum(_write(tmp_path / "a.tsv", txt))
    assert s.bias_unit == "V" and s.bias_unit_source == "header" and s.delimiter == "\t"
    assert s.bias_mV[0] == pytest.approx(-50.0) and np.all(np.diff(s.bias_mV) > 0)
    assert s.didv[0] == pytest.approx(2 - 0.05)
    s2 = btk.read_spectrum(_write(tmp_path / "b.txt", "\n".join(f"{x * 1e3:.3f} {2 + x:.4f}" for x in v)))
    assert s2.header is None and s2.bias_unit == "mV" and s2.bias_unit_source.startswith("default")
    s3 = btk.read_spectrum(tmp_path / "b.txt", bias_unit="uV", didv_column=2)
    assert s3.bias_mV[-1] == pytest.approx(0.05) and s3.bias_unit_source == "--bias-unit"


def test_read_spectrum_old_path_and_bad_arguments(tmp_path):
    from nickelates import cli_btk
    from nickelates.cli_btk import Spectrum, SpectrumFileError, read_spectrum
    assert read_spectrum is btk.read_spectrum and Spectrum is btk.Spectrum
    assert SpectrumFileError is btk.SpectrumFileError and issubclass(SpectrumFileError, ValueError)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = cli_btk.no_such_name
    with pytest.raises(TypeError, match="path"):
        btk.read_spectrum(3)
    with pytest.raises(ValueError, match="min_points"):
        btk.read_spectrum(SAMPLE, min_points=0)
    with pytest.raises(TypeError, match="bias_column"):
        btk.read_spectrum(SAMPLE, bias_column=1.5)
    with pytest.raises(btk.SpectrumFileError, match="no column named"):
        btk.read_spectrum(SAMPLE, bias_column="volts")
    with pytest.raises(btk.SpectrumFileError, match="no such file"):
        btk.read_spectrum(tmp_path / "nope.csv")


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-m", "nickelates", "fit-btk", "--help"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "--temperature" in r.stdout
    r = subprocess.run([sys.executable, "-m", "nickelates", "fit-btk", str(tmp_path / "nope.csv"), "-T", "3"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "no such file" in r.stderr


def test_cli_output_dir_and_bad_symmetry(tmp_path, capsys):
    csv = tmp_path / "spec.csv"
    csv.write_text(SAMPLE.read_text())
    rc = cli_main(["fit-btk", str(csv), "-T", "3", "-o", str(tmp_path / "nodir" / "x")])
    assert rc == 2 and "does not exist" in capsys.readouterr().err
    rc = cli_main(["fit-btk", str(csv), "-T", "3", "--symmetry", "s,p"])
    assert rc == 2 and "--symmetry" in capsys.readouterr().err
    for argv, flag in [(["-T", "-3"], "--temperature must be >= 0"), (["-T", "nan"], "--temperature must be a finite number"),
                       (["-T", "3", "--starts", "0"], "--starts must be in 1..200"),
                       (["-T", "3", "--sigma", "0"], "--sigma must be > 0"),
                       (["-T", "3", "--bg-degree", "9"], "--bg-degree"),
                       (["-T", "3", "--bg-fraction", "1.5"], "--bg-fraction must be <= 1"),
                       (["-T", "3", "--select", "T"], "--select must be COLUMN=VALUE"),
                       (["-T", "3", "--select", "T=5"], "no column named 'T' for --select"),
                       (["-T", "3", "--model", "dynes", "--polarization"], "--polarization needs --model btk"),
                       (["-T", "3", "--gaps", "auto", "--symmetry", "s,d"], "--symmetry with --gaps auto must be one")]:
        rc = cli_main(["fit-btk", str(csv), *argv])
        err = capsys.readouterr().err
        assert rc == 2 and flag in err, (argv, err)


# ------------------------------------------------------------------ scripts
def _import_script(name):
    sys.path.insert(0, str(paths.repo_root() / "scripts"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_sample_script_reproduces_shipped_file(tmp_path):
    out = _import_script("make_btk_sample").make(tmp_path / "s.csv")
    assert open(out).read() == SAMPLE.read_text()


def test_model_comparison_script_small_instance():
    res = _import_script("btk_model_comparison").run(n_points=121, bias_max=60.0, starts=1, models=("s,s", "s,d"))
    assert set(res["fits"]) == {"s,s", "s,d"}
    assert res["fits"]["s,s"]["redchi"] < 1.6
    stored = json.loads(paths.data_file("btk_model_comparison.json").read_text())
    assert set(stored["fits"]) == {"s,s", "s,d", "d,s", "d,d"}
    chi2 = {m: f["chisqr"] for m, f in stored["fits"].items()}
    assert abs(chi2["s,d"] - chi2["s,s"]) < 5
    assert min(chi2["d,s"], chi2["d,d"]) - chi2["s,s"] > 30
    for f in stored["fits"].values():
        assert f["values"]["delta1"] >= f["values"]["delta2"]


# ------------------------------------------------------------------ figures and widget
def test_figures_draw_the_science_results():
    from nickelates.viz import btk as vbtk
    assert vbtk.table3_refits is btk.table3_refits and vbtk.correlation_matrix is btk.correlation_matrix
    nb = btk.nb_calibration_spectra(np.linspace(-6, 6, 121))
    fig = vbtk.figure_nb_calibration(nb)
    assert np.array_equal(fig.axes[0].lines[0].get_ydata(), nb.G)
    fig2 = vbtk.figure_gap_temperature(btk.table3_gap_temperature())
    assert "Tc = 67.6 K" in fig2.axes[0].lines[1].get_label()
    o = btk.dwave_orientation((0.0, np.pi / 4), n=51)
    fig3 = vbtk.figure_dwave_orientation(o)
    assert np.array_equal(fig3.axes[0].lines[1].get_ydata(), o.G[np.pi / 4])
    refits = btk.table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[0, 8])
    assert len(vbtk.figure_table3(refits).axes) == 2
    assert len(vbtk.figure_table3_correlations(refits, T=40.0).axes) == 3
    with pytest.raises(ValueError, match="refitted temperatures"):
        vbtk.figure_table3_correlations(refits, T=5.0)
    with pytest.raises(TypeError, match="calibration"):
        vbtk.figure_nb_calibration(np.linspace(-6, 6, 11))
    mc = json.loads(paths.data_file("btk_model_comparison.json").read_text())
    assert len(vbtk.figure_model_comparison(mc).axes) == 4
    assert len(vbtk.plot_classic_btk(n=31).axes) == 4
    r = refits.fits[3.0]
    assert np.array_equal(vbtk.plot_fit(r).axes[0].lines[1].get_ydata(), r.best_fit)
    fig4, ax = plt.subplots()
    assert vbtk.plot_spectrum(refits.bias, btk.table3_gaps(3.0), 3.0, ax=ax) is fig4
    plt.close("all")


def test_widget_sliders_redraw():
    from nickelates.viz import btk as vbtk
    w = vbtk.explorer()
    g0 = w.data["G"].copy()
    assert w.data["bias"].shape == g0.shape
    w.sliders["Z"].value = 2.0
    assert not np.allclose(w.data["G"], g0)
    assert w.data["values"]["Z"] == 2.0
    w.sliders["gamma"].value = 0.5
    w.sliders["T"].value = 0.0
    w.sliders["symmetry"].value = "d+d"
    w.sliders["alpha"].value = float(np.pi / 4)
    G = w.data["G"]
    i0 = np.argmin(np.abs(w.data["bias"]))
    assert G[i0] == pytest.approx(G.max()) and G[i0] > 2.0
    assert np.allclose(G, btk.conductance_multi(w.bias, w.gaps(), 0.0))
    with pytest.raises(ValueError, match="symmetry"):
        vbtk.BTKExplorer(symmetry="p+s")
    plt.close("all")


# ------------------------------------------------------------------ exit codes, sigma, atomic outputs (issue 13)
NB = dict(delta=1.5, Z=0.43, gamma=0.2, T=3.0)


def _nb_file(path, noise=0.002, scale=3.0, seed=5, n=161, sep=",", vmax=6.0):
    """A one-gap (Nb-like) raw spectrum: scale * (1 + 0.02 V^2/36) * G_BTK + noise of `noise * scale` per reading."""
    b = np.linspace(-vmax, vmax, n)
    G = btk.conductance(b, NB["delta"], NB["Z"], NB["gamma"], NB["T"])
    bg = scale * (1 + 0.02 * b ** 2 / 36)
    y = bg * G + np.random.default_rng(seed).normal(0, noise * scale, b.size)
    path.write_text("bias (mV),dI/dV (mS)\n" + "\n".join(f"{x:.4f}{sep}{v:.7f}" for x, v in zip(b, y)) + "\n")
    return str(path)


def _json(path):
    return json.loads(Path(path).read_text())


def test_exit_0_one_gap_and_sigma_in_file_units(tmp_path, capsys):
    f = _nb_file(tmp_path / "nb.csv", noise=0.002, scale=3.0)
    wide = _nb_file(tmp_path / "wide.csv", noise=0.01, scale=3.0, vmax=30.0, n=301)    # tails near 1 for 'outer'
    sig = 0.002 * 3.0                              # the noise of the dI/dV column as written in the file
    runs = {}
    for tag, extra in [("s1", [f, "--sigma", f"{sig}"]), ("s2", [f, "--sigma", f"{2 * sig}"]), ("res", [f]),
                       ("outer", [wide, "--sigma", f"{5 * sig}", "--normalize", "outer"])]:
        rc = cli_main(["fit-btk", "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure",
                       "-o", str(tmp_path / tag), *extra])
        out = capsys.readouterr().out
        assert rc == 0, out
        runs[tag] = _json(tmp_path / f"{tag}.json")
        runs[tag]["stdout"] = out
    p1, p2 = runs["s1"]["fit"]["parameters"], runs["s2"]["fit"]["parameters"]
    assert p1["delta1"]["value"] == pytest.approx(1.5, abs=4 * p1["delta1"]["stderr"])
    # sigma in raw units: reduced chi^2 ~ 1 (it would be ~1/9 if read as the noise of the normalized G)
    assert 0.75 < runs["s1"]["fit"]["redchi"] < 1.3
    assert 0.75 < runs["outer"]["fit"]["redchi"] < 1.3       # sigma divided by the fitted background
    # uncertainties scale with sigma, and equal the residual-scaled ones when sigma is the true noise
    for k in ("delta1", "Z1", "gamma1"):
        assert p2[k]["stderr"] / p1[k]["stderr"] == pytest.approx(2.0, rel=1e-3)
        assert runs["res"]["fit"]["parameters"][k]["stderr"] == pytest.approx(p1[k]["stderr"], rel=0.2)
    assert runs["s1"]["fit"]["sigma_source"] == "given" and runs["res"]["fit"]["sigma_source"] == "residuals"
    assert "from --sigma" in runs["s1"]["stdout"] and "scaled by the fit residuals" in runs["res"]["stdout"]
    assert runs["s1"]["sigma"]["didv_noise_per_reading"] == pytest.approx(sig)


def test_sigma_help_says_file_units():
    from nickelates.__main__ import build_parser
    sub = build_parser()._subparsers._group_actions[0].choices["fit-btk"]
    text = " ".join(sub.format_help().split())
    assert "AS GIVEN IN THE FILE" in text and "not of the normalized G" in text
    for flag in ("--gaps", "--polarization", "--model", "--fit-temperature", "--sigma", "--temperature",
                 "--no-figure", "--force", "--bias-unit", "--decimal-comma", "--select", "--series-resistance",
                 "--bias-offset", "--bias-column", "--didv-column", "--normalize", "--bg-degree", "--bg-fraction",
                 "--starts", "--normal-incidence", "--output"):
        assert flag in text, flag
    assert "{1,2,auto}" in text and "{btk,dynes,zeeman,sis}" in text       # issue 22: spin-split and SIS models
    for flag in ("--from-current", "--no-lockin", "--tip-gap", "--sg-window"):
        assert flag in text, flag


def test_sigma_of_averaged_repeats(tmp_path, capsys):
    """Two sweeps with independent noise in one file: the averaged points have sigma / sqrt(2)."""
    f = _nb_file(tmp_path / "a.csv")
    other = Path(_nb_file(tmp_path / "b.csv", seed=6)).read_text().splitlines()
    Path(f).write_text("\n".join(Path(f).read_text().splitlines() + other[1:][::-1]) + "\n")
    rc = cli_main(["fit-btk", f, "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure", "--sigma", "0.006"])
    out = capsys.readouterr().out
    assert rc == 0 and "merged 161 repeated" in out
    res = _json(tmp_path / "a_btk.json")
    assert res["input_file"]["merged_points"] == 161
    assert 0.7 < res["fit"]["redchi"] < 1.3          # 1/2 if the averaging were ignored


def test_exit_3_two_gaps_on_one_gap_data(tmp_path, capsys):
    f = _nb_file(tmp_path / "one.csv", n=101)
    rc = cli_main(["fit-btk", f, "--gaps", "2", "-T", "3", "--starts", "1"])
    cap = capsys.readouterr()
    assert rc == 3, cap.out + cap.err
    res = _json(tmp_path / "one_btk.json")
    assert res["fit"]["determined"] is False and res["fit"]["problems"]
    assert res["status"]["exit_code"] == 3 and (tmp_path / "one_btk.png").stat().st_size > 1000
    assert "parameters undetermined (exit code 3): " + res["status"]["problems"][0] in cap.out
    assert "BIC" in cap.out and "n_gaps=" not in cap.out and "model='" not in cap.out


def test_gaps_auto_prints_both_bics(tmp_path, capsys):
    f = _nb_file(tmp_path / "auto.csv", n=101)
    rc = cli_main(["fit-btk", f, "--gaps", "auto", "-T", "3", "--starts", "1", "--no-figure"])
    out = capsys.readouterr().out
    res = _json(tmp_path / "auto_btk.json")
    assert rc == 0, out
    assert set(res["fit"]["bic_by_n_gaps"]) == {"1", "2"}
    assert res["fit"]["bic_by_n_gaps"]["1"] < res["fit"]["bic_by_n_gaps"]["2"]
    assert re.search(r"BIC: 1 gap = \S+, 2 gaps = \S+ -> 1 gap\(s\) chosen", out), out
    assert "delta2" not in res["fit"]["parameters"]


def test_model_flags_reach_the_fit(tmp_path, capsys):
    f = _nb_file(tmp_path / "m.csv")
    rc = cli_main(["fit-btk", f, "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure", "--polarization"])
    out = capsys.readouterr().out
    assert rc in (0, 3), out
    res = _json(tmp_path / "m_btk.json")
    assert "P" in res["fit"]["parameters"] and res["model"]["polarization"] is True
    assert res["fit"]["parameters"]["P"]["value"] == pytest.approx(0.0, abs=0.1)
    rc = cli_main(["fit-btk", f, "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure", "--model", "dynes",
                   "--fit-temperature", "-o", str(tmp_path / "d")])
    out = capsys.readouterr().out
    res = _json(tmp_path / "d.json")
    assert rc in (0, 3) and res["fit"]["model"] == "dynes" and "T" in res["fit"]["parameters"], out


def test_nanonis_file_end_to_end(tmp_path, capsys):
    f = tmp_path / "nb.dat"
    f.write_text((Path(__file__).parent / "data" / "btk_nanonis.dat").read_text())
    rc = cli_main(["fit-btk", str(f), "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = _json(tmp_path / "nb_btk.json")
    p = res["fit"]["parameters"]
    assert p["delta1"]["value"] == pytest.approx(1.5, abs=max(4 * p["delta1"]["stderr"], 0.01))
    assert res["input_file"]["format"] == "nanonis" and res["input_file"]["merged_points"] == 61
    assert res["input_file"]["metadata"]["Lock-in>Amplitude"] == "1E-4" and res["bias_unit_in_file"] == "V"
    assert "note: averaged the backward sweep" in out


def test_volts_without_unit_cli_hint(tmp_path, capsys):
    f = tmp_path / "v.txt"
    f.write_text((Path(__file__).parent / "data" / "btk_volts_noheader.txt").read_text())
    rc = cli_main(["fit-btk", str(f), "-T", "3"])
    err = capsys.readouterr().err
    assert rc == 2 and "--bias-unit V" in err and not list(tmp_path.glob("v_btk*"))


def test_select_and_decimal_comma_flags(tmp_path, capsys):
    b = np.linspace(-6, 6, 81)
    rows = []
    for T, gap in ((2, 1.5), (4, 1.2)):
        G = btk.conductance(b, gap, 0.43, 0.2, T)
        rows += [f"{T};{x:.3f};{g:.6f}".replace(".", ",") for x, g in zip(b, G)]
    f = tmp_path / "long.txt"
    f.write_text("T (K);bias (mV);dI/dV\n" + "\n".join(rows) + "\n")
    rc = cli_main(["fit-btk", str(f), "--gaps", "1", "-T", "4", "--starts", "1", "--no-figure", "--normalize", "none",
                   "--decimal-comma", "--select", "T (K)=4"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = _json(tmp_path / "long_btk.json")
    assert res["fit"]["parameters"]["delta1"]["value"] == pytest.approx(1.2, abs=0.01)
    assert res["input_file"]["select"] == {"T (K)": "4"} and res["input_file"]["decimal_comma"] is True
    rc = cli_main(["fit-btk", str(f), "-T", "4", "--decimal-comma", "--force"])
    assert rc == 2 and "--select 'T (K)=2'" in capsys.readouterr().err


def _listing(d):
    return sorted(p.name for p in d.iterdir())


def test_atomic_write_interrupted_keeps_old_file(tmp_path, capsys, monkeypatch):
    f = _nb_file(tmp_path / "a.csv")
    argv = ["fit-btk", f, "--gaps", "1", "-T", "3", "--starts", "1", "--no-figure", "--force"]
    assert cli_main(argv) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a_btk.json").stat().st_mode & 0o777 == 0o666 & ~umask     # not mkstemp's 0600
    old = (tmp_path / "a_btk.json").read_text()
    before = _listing(tmp_path)

    def interrupted(obj, fh, **kw):
        fh.write('{"input": "trunc')
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", interrupted)
    assert cli_main(argv) == 130                      # Ctrl-C: exit 130 (issue 25), nothing left behind
    assert "interrupted" in capsys.readouterr().err
    assert (tmp_path / "a_btk.json").read_text() == old and _listing(tmp_path) == before

    def disk_full(obj, fh, **kw):
        fh.write('{"input": "trunc')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", disk_full)
    rc = cli_main(argv)
    err = capsys.readouterr().err
    assert rc == 1 and "No space left" in err and "unchanged" in err
    assert (tmp_path / "a_btk.json").read_text() == old and _listing(tmp_path) == before
    json.loads(old)


def test_unwritable_folder_fails_before_the_fit(tmp_path, capsys, monkeypatch):
    import tempfile

    from nickelates import cli_btk
    f = _nb_file(tmp_path / "w.csv")

    def no_fit(*a, **k):
        raise AssertionError("the fit must not run when the output cannot be written")

    monkeypatch.setattr(btk, "fit", no_fit)
    monkeypatch.setattr(btk, "read_spectrum", no_fit)
    real = tempfile.mkstemp

    def denied(*a, dir=None, **k):
        if dir is not None and Path(dir) == tmp_path / "ro":
            raise PermissionError(13, "Permission denied")
        return real(*a, dir=dir, **k)

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(cli_btk.tempfile, "mkstemp", denied)
    rc = cli_main(["fit-btk", f, "-T", "3", "-o", str(tmp_path / "ro" / "x")])
    err = capsys.readouterr().err
    assert rc == 2 and "is not writable" in err and "--output" in err
    assert not list((tmp_path / "ro").iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_really(tmp_path, capsys):
    f = _nb_file(tmp_path / "w.csv")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc = cli_main(["fit-btk", f, "-T", "3", "-o", str(ro / "x")])
    finally:
        ro.chmod(0o755)
    assert rc == 2 and "is not writable" in capsys.readouterr().err


def test_no_stale_figure(tmp_path, capsys, monkeypatch):
    f = _nb_file(tmp_path / "s.csv")
    png = tmp_path / "s_btk.png"
    png.write_bytes(b"old figure")
    argv = ["fit-btk", f, "--gaps", "1", "-T", "3", "--starts", "1"]
    rc = cli_main([*argv, "--no-figure"])
    assert rc == 2 and "s_btk.png" in capsys.readouterr().err and png.read_bytes() == b"old figure"
    rc = cli_main([*argv, "--no-figure", "--force"])
    assert rc == 0 and not png.exists() and _json(tmp_path / "s_btk.json")["figure"] is None
    capsys.readouterr()
    png.write_bytes(b"old figure")
    from nickelates.viz import btk as vbtk

    def broken(*a, **k):
        raise RuntimeError("no renderer")

    monkeypatch.setattr(vbtk, "plot_fit", broken)
    rc = cli_main([*argv, "--force"])
    cap = capsys.readouterr()
    res = _json(tmp_path / "s_btk.json")
    assert rc == 1 and not png.exists() and "no renderer" in cap.err
    assert res["figure"] is None and "no renderer" in res["figure_error"] and res["status"]["exit_code"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ fit-btk-series
def test_series_argument_errors(tmp_path, capsys):
    f1, f2 = _nb_file(tmp_path / "a.csv"), _nb_file(tmp_path / "b.csv", seed=6)
    for argv, msg in [([f1, f2, "--temperatures", "3"], "--temperatures lists 1 temperature(s) for 2 file(s)"),
                      ([f1, f2, "--temperatures", "3,x"], "--temperatures must be numbers"),
                      ([f1, f2, "--temperatures", "3,-1"], "--temperatures must be > 0"),
                      ([f1, f2, "--temperatures", "3,5", "--symmetry", "s,p"], "--symmetry"),
                      ([f1, f1, "--temperatures", "3,5"], "listed twice"),
                      ([f1, f2, "--temperatures", "3,5", "-o", str(tmp_path / "no" / "x")], "does not exist")]:
        rc = cli_main(["fit-btk-series", *argv])
        err = capsys.readouterr().err
        assert rc == 2 and msg in err, (argv, err)
    (tmp_path / "a_series.json").write_text("{}")
    rc = cli_main(["fit-btk-series", f1, f2, "--temperatures", "3,5"])
    assert rc == 2 and "--force" in capsys.readouterr().err


def test_series_cli_recovers_gap_and_tc(tmp_path, capsys):
    b = np.linspace(-8, 8, 161)
    temps = [2.0, 4.0, 6.0, 7.5]
    files = []
    rng = np.random.default_rng(3)
    for T in temps:
        gap = float(btk.gap_bcs(T, 1.5, 9.0))
        G = btk.conductance(b, gap, 0.5, 0.2, T) * (1 + 0.01 * b ** 2 / 64) + rng.normal(0, 0.002, b.size)
        p = tmp_path / f"T{T:g}.csv"
        p.write_text("bias (mV),dI/dV\n" + "\n".join(f"{x:.4f},{g:.6f}" for x, g in zip(b, G)) + "\n")
        files.append(str(p))
    from nickelates import cli_btk_series
    from nickelates.viz import btk as vbtk
    has_figure = hasattr(vbtk, cli_btk_series.FIGURE_FUNCTION)
    rc = cli_main(["fit-btk-series", *files, "--temperatures", ",".join(map(str, temps)), "--gaps", "1",
                   "-o", str(tmp_path / "ser"), *([] if has_figure else ["--no-figure"])])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = _json(tmp_path / "ser.json")
    for k in ("delta1_0", "Tc"):
        assert set(res[k]) >= {"value", "stderr"}
    assert res["delta1_0"]["value"] == pytest.approx(1.5, abs=max(4 * res["delta1_0"]["stderr"], 0.05))
    assert res["Tc"]["value"] == pytest.approx(9.0, abs=max(4 * res["Tc"]["stderr"], 0.3))
    assert len(res["inputs"]) == 4 and res["status"]["exit_code"] == 0 and res["temperatures_K"] == temps
    assert res["ratio1"]["value"] == pytest.approx(2 * 1.5 / (btk.K_B_MEV_PER_K * 9.0), rel=0.05)
    assert "delta2_0" not in res and res["determined"] is True
    if has_figure:
        assert (tmp_path / "ser.png").stat().st_size > 1000


def test_series_exit_3_and_sigma_passed_in_file_units(tmp_path, capsys, monkeypatch):
    import dataclasses
    files = [_nb_file(tmp_path / f"s{k}.csv", seed=k) for k in range(2)]
    real = btk.fit_series
    seen = {}

    def undetermined(spectra, temps, **kw):
        seen.update(kw)
        r = real(spectra, temps, **kw)
        return dataclasses.replace(r, determined=False, problems=("Tc at a bound: fit with free_gaps=True",))

    monkeypatch.setattr(btk, "fit_series", undetermined)
    (tmp_path / "x.png").write_bytes(b"old")
    rc = cli_main(["fit-btk-series", *files, "--temperatures", "2,3", "--gaps", "1", "--sigma", "0.006",
                   "-o", str(tmp_path / "x"), "--no-figure", "--force"])
    out = capsys.readouterr().out
    res = _json(tmp_path / "x.json")
    assert rc == 3 and "undetermined (exit code 3): Tc at a bound: fit with --free-gaps" in out
    assert res["status"]["exit_code"] == 3 and res["determined"] is False and not (tmp_path / "x.png").exists()
    assert seen["background_degree"] == 2 and seen["sigma"][0] == pytest.approx(0.006)
    assert res["sigma"]["source"] == "given" and res["sigma_source"] == "given"


# ------------------------------------------------------------------ issue 22: header, lock-in, current, gates, models
V22 = np.linspace(-4.0, 4.0, 321)       # mV


def _nanonis_dat(path, columns, header=None):
    """A Nanonis .dat point spectrum (key<TAB>value header, [DATA], tab-separated columns; bias in V)."""
    head = {"Experiment": "bias spectroscopy", "Date": "01.12.2026 10:00:00", **(header or {})}
    names = ["Bias calc (V)", *columns]
    table = np.column_stack([V22 / 1e3, *columns.values()])
    lines = [f"{k}\t{v}\t" for k, v in head.items()] + ["", "[DATA]", "\t".join(names)]
    lines += ["\t".join(f"{v:.9E}" for v in row) for row in table]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _dynes(bias, delta=1.0, gamma=0.03, T=1.5):
    return btk.conductance(bias, delta, 0.0, gamma, T, model="dynes", angle_resolved=False)


def _lockin_smeared(delta, gamma, T, vm):
    """Dynes spectrum convolved with W(v) = 2 sqrt(Vm^2 - v^2) / (pi Vm^2) by a plain midpoint rule (independent)."""
    v = np.linspace(-vm, vm, 801)[:-1] + vm / 800
    w = 2 * np.sqrt(vm ** 2 - v ** 2) / (np.pi * vm ** 2)
    w /= w.sum()
    fine = _dynes(np.add.outer(V22, v).ravel(), delta, gamma, T).reshape(V22.size, v.size)
    return fine @ w


def test_cli_header_temperature_and_running_lockin(tmp_path, capsys, rng):
    g = _lockin_smeared(1.0, 0.03, 1.5, 0.4) + 0.003 * rng.standard_normal(V22.size)
    head = {"Ext. VI 1>Microscope temperature (K)": "1.5", "Lock-in>Lock-in status": "OFF",
            "Bias Spectroscopy>Lock-In run": "TRUE", "Lock-in>Modulated signal": "Bias (V)",
            "Lock-in>Amplitude": "400E-6"}
    path = _nanonis_dat(tmp_path / "li.dat", {"Current (A)": np.cumsum(g) * 1e-12, "LIX 1 omega (A)": g * 1e-12},
                        head)
    rc = cli_main(["fit-btk", path, "--model", "dynes", "--gaps", "1", "--starts", "2", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "temperature: 1.5 K (from the file header)" in out
    assert "0.4 mV peak, folded into the model" in out
    res = json.loads((tmp_path / "li_btk.json").read_text())
    assert res["temperature"]["source"] == "header" and res["temperature"]["value_K"] == 1.5
    assert res["lockin"]["used"] is True and res["lockin"]["kind"] == "peak"
    assert res["lockin"]["peak_mV"] == pytest.approx(0.4) and res["model"]["lockin_peak_mV"] == pytest.approx(0.4)
    p = res["fit"]["parameters"]
    assert p["delta1"]["value"] == pytest.approx(1.0, abs=0.01)
    assert p["gamma1"]["value"] == pytest.approx(0.03, abs=0.01)            # lock-in not mistaken for broadening
    # the flag wins over the header; --no-lockin: the modulation shows up as a broader Gamma
    rc = cli_main(["fit-btk", path, "--model", "dynes", "--gaps", "1", "--starts", "2", "--no-figure", "--force",
                   "-T", "1.5", "--no-lockin"])
    out = capsys.readouterr().out
    assert "from --temperature; the header states 1.5 K" in out and "not folded in: --no-lockin" in out
    res2 = json.loads((tmp_path / "li_btk.json").read_text())
    assert res2["temperature"]["source"] == "flag" and res2["lockin"]["used"] is False
    assert res2["fit"]["parameters"]["gamma1"]["value"] > 0.06


def test_cli_external_lockin_idle_settings_are_not_used(tmp_path, capsys, rng):
    g = _dynes(V22) + 0.003 * rng.standard_normal(V22.size)
    head = {"Lock-in>Lock-in status": "ON", "Lock-in>Modulated signal": "Bias (V)", "Lock-in>Amplitude": "1E-3"}
    path = _nanonis_dat(tmp_path / "ext.dat", {"LockIn (V)": g}, head)
    rc = cli_main(["fit-btk", path, "--model", "dynes", "--gaps", "1", "-T", "1.5", "--starts", "1", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "not folded in: the lock-in producing the dI/dV channel was not running" in out


def test_cli_current_needs_from_current(tmp_path, capsys):
    g = _dynes(V22)
    current = np.concatenate([[0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(V22))]) * 1e-9   # I = int G dV
    path = _nanonis_dat(tmp_path / "iv.dat", {"Current (A)": current})
    rc = cli_main(["fit-btk", path, "-T", "1.5", "--model", "dynes", "--gaps", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and "--from-current" in err
    assert not (tmp_path / "iv_btk.json").exists()
    rc = cli_main(["fit-btk", path, "-T", "1.5", "--model", "dynes", "--gaps", "1", "--from-current", "--starts", "2",
                   "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads((tmp_path / "iv_btk.json").read_text())
    assert res["input_file"]["from_current"] is True and res["input_file"]["didv_kind"] == "numerical_derivative"
    assert res["fit"]["parameters"]["delta1"]["value"] == pytest.approx(1.0, abs=0.03)


def test_cli_explicit_current_column_is_not_a_conductance(tmp_path, capsys):
    b = np.linspace(-5, 5, 101)
    path = _write(tmp_path / "cur.csv", "bias (mV),I (nA)\n" + "\n".join(f"{x:.3f},{1 + 0.01 * x:.5f}" for x in b))
    rc = cli_main(["fit-btk", path, "-T", "2", "--didv-column", "2"])
    err = capsys.readouterr().err
    assert rc == 2 and "not a conductance" in err and "--from-current" in err


def test_cli_gapless_and_clipped_spectra_are_not_determined(tmp_path, capsys, rng):
    b = np.linspace(-10, 10, 201)
    metal = 1 + 0.05 * (b / 10) - 0.08 * (b / 10) ** 2 + 0.02 * rng.standard_normal(b.size)
    path = _write(tmp_path / "metal.csv", "bias (mV),dI/dV\n" + "\n".join(f"{x:.3f},{y:.6f}" for x, y in zip(b, metal)))
    rc = cli_main(["fit-btk", path, "-T", "2", "--gaps", "1", "--starts", "2", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 3 and "no_gap" in out, out
    res = json.loads((tmp_path / "metal_btk.json").read_text())
    assert res["status"]["exit_code"] == 3 and not res["status"]["determined"]
    assert "no_gap" in res["trust"]["reasons"] and any("no gap" in p for p in res["status"]["problems"])
    # a lock-in saturated at 10 V: the coherence peaks are cut flat
    g = np.minimum(9.0 * btk.conductance(b, 2.0, 0.0, 0.05, 2.0, model="dynes", angle_resolved=False), 10.0)
    g = (g + 0.01 * rng.standard_normal(b.size)).clip(max=10.0)
    path = _write(tmp_path / "sat.csv", "bias (mV),dI/dV (V)\n" + "\n".join(f"{x:.3f},{y:.9g}" for x, y in zip(b, g)))
    rc = cli_main(["fit-btk", path, "-T", "2", "--gaps", "1", "--model", "dynes", "--starts", "2", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 3 and "clipped" in out, out


def test_cli_zeeman_model_reports_delta_h_gamma(tmp_path, capsys, rng):
    b = np.linspace(-1.0, 1.0, 241)
    # spin-split tunnel DOS without depairing = mean of two Dynes DOS shifted by +-h (thermal smearing commutes)
    g = 0.5 * (btk.conductance(b + 0.06, 0.2, 0.0, 0.02, 0.08, model="dynes", angle_resolved=False)
               + btk.conductance(b - 0.06, 0.2, 0.0, 0.02, 0.08, model="dynes", angle_resolved=False))
    g = g + 0.005 * rng.standard_normal(b.size)
    path = _write(tmp_path / "ss.csv", "bias (mV),dI/dV\n" + "\n".join(f"{x:.5f},{y:.6f}" for x, y in zip(b, g)))
    rc = cli_main(["fit-btk", path, "-T", "0.08", "--model", "zeeman", "--starts", "3", "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    p = json.loads((tmp_path / "ss_btk.json").read_text())["fit"]["parameters"]
    assert {"delta1", "h", "gamma1"} <= set(p) and all({"value", "stderr"} <= set(p[k]) for k in ("delta1", "h"))
    assert p["delta1"]["value"] == pytest.approx(0.2, abs=0.005)
    assert p["h"]["value"] == pytest.approx(0.06, abs=0.005)
    rc = cli_main(["fit-btk", path, "-T", "0.08", "--model", "zeeman", "--gaps", "2", "--force"])
    assert rc == 2 and "--gaps 1" in capsys.readouterr().err


def test_cli_sis_needs_tip_gap_and_uses_it(tmp_path, capsys, rng):
    b = np.linspace(-6.0, 6.0, 301)
    g = btk.conductance(b, 1.0, 0.0, 0.05, 1.0, model="sis", tip_gap=1.4, angle_resolved=False)
    g = g + 0.01 * rng.standard_normal(b.size)
    path = _write(tmp_path / "sis.csv", "bias (mV),dI/dV\n" + "\n".join(f"{x:.4f},{y:.6f}" for x, y in zip(b, g)))
    assert cli_main(["fit-btk", path, "-T", "1", "--model", "sis"]) == 2
    assert "--tip-gap" in capsys.readouterr().err
    assert cli_main(["fit-btk", path, "-T", "1", "--tip-gap", "1.4"]) == 2
    assert "--model sis" in capsys.readouterr().err
    rc = cli_main(["fit-btk", path, "-T", "1", "--model", "sis", "--tip-gap", "1.4", "--gaps", "1", "--starts", "2",
                   "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads((tmp_path / "sis_btk.json").read_text())
    assert res["model"]["tip_gap_meV"] == 1.4
    assert res["fit"]["parameters"]["delta1"]["value"] == pytest.approx(1.0, abs=0.02)


def test_cli_temperature_needed_without_header(tmp_path, capsys):
    b = np.linspace(-5, 5, 101)
    path = _write(tmp_path / "n.csv", "\n".join(f"{x:.3f} {1 + 0.1 * np.exp(-x * x):.5f}" for x in b))
    assert cli_main(["fit-btk", path]) == 2
    assert "--temperature is needed" in capsys.readouterr().err
