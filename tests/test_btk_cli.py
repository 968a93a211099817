"""Tests of the fit-btk command line, spectrum files, the scripts, the figures and the widget of chapter 4."""
import json
import math
import os
import re
import subprocess
import sys

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
                        "normalization", "model", "fit"}
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
    ("duplicated", _good_lines()[:15] + [_good_lines()[14]] + _good_lines()[15:],
     r"line 16: bias .* repeats the value of line 15"),
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
    rc = cli_main(["fit-btk", str(csv), "-T", "-3"])
    assert rc == 2 and "T must" in capsys.readouterr().err
    rc = cli_main(["fit-btk", str(csv), "-T", "3", "--starts", "0"])
    assert rc == 2 and "starts" in capsys.readouterr().err


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
