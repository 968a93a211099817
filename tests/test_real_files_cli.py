"""Every file of ../shared/real-files through the right CLI (issue 22): refused naming the format, or the gates' verdict.

The files are read in place through the ``real_files`` fixture (never copied).
The gates' thresholds come from synthetic spectra only (data/gate_calibration.json);
these tests record what they say about measured files, they were not tuned to them.
Temperatures not stated in a header are the publishers' (README of real-files) or,
where none is stated, an assumed 1.5 K / 5 K (the verdicts do not hinge on it).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import xarray as xr

from nickelates.__main__ import main as cli_main

SLOW = pytest.mark.slow

# name, extra arguments, exit code, (stderr pattern for 2 | reasons that must be among the failed gates for 3)
BTK = [
    # auto: the two gaps sit at delta +- h of a spin-split fit and neither model fits to the noise ->
    # not determined between the two pictures (btk.fitting._split_or_two_gaps); --gaps 2 chooses
    ("SPMQT_nanonis_sts_15mv.dat", ["--model", "dynes", "--gaps", "auto", "-T", "1.5"], 3, set()),
    ("SPMQT_nanonis_sts_15mv.dat", ["--model", "dynes", "--gaps", "2", "-T", "1.5"], 0, None),
    ("maiani_NIS_Sample1_39.dat", ["--select", "magnet_bpar=0", "--bias-unit", "V", "--model", "dynes",
                                   "--gaps", "auto", "-T", "0.04", "--bias-offset"], 3, set()),
    ("SPMQT_nanonis_sts_15mv.dat", ["--model", "dynes", "--gaps", "1", "-T", "1.5"], 3, {"no_gap"}),
    ("maiani_NIS_Sample1_39.dat", ["--select", "magnet_bpar=0", "--bias-unit", "V", "--model", "zeeman",
                                   "-T", "0.04", "--bias-offset", "--starts", "20"], 0, None),
    ("maiani_NIS_Sample1_39.dat", ["--select", "magnet_bpar=0", "--bias-unit", "V", "--model", "zeeman",
                                   "-T", "0.04"], 3, {"high_rms"}),
    ("maiani_NIS_Sample1_39.dat", ["--model", "zeeman", "-T", "0.04"], 2, r"magnet_bpar.*--select"),
    ("nanonis-xarray_i_v.dat", ["--model", "dynes", "--gaps", "1"], 0, None),
    ("nanonis-xarray_z.dat", ["-T", "5"], 2, r"sweep signal is Z rel \(m\)"),
    ("SpmImageTycoon_STS003.dat", ["--model", "dynes", "--gaps", "1", "-T", "5"], 3, {"no_gap"}),
    ("SpmImageTycoon_STS003.dat", ["--gaps", "1", "-T", "5"], 3, {"no_gap"}),
    ("nanonispy_Bias-Spectroscopy002.dat", ["-T", "5"], 2, r"current 'Input 3 \(A\)'.*--from-current"),
    ("nanonispy_Bias-Spectroscopy002.dat", ["-T", "5", "--from-current", "--model", "dynes", "--gaps", "1"], 3,
     {"negative_conductance"}),
    ("SpmSpectroscopy_GXSM_VP001.vpdata", ["-T", "87"], 2, r"current 'ADC0-I \(nA\)'.*--from-current"),
    ("SpmSpectroscopy_GXSM_VP001.vpdata", ["-T", "87", "--from-current", "--model", "dynes", "--gaps", "1"], 2,
     r"background is not positive"),
    ("sm4file_test_iv.SM4", ["-T", "5", "--model", "dynes", "--gaps", "1"], 3, {"no_gap"}),
    ("SPMQT_createc_vert_didz_image_state.VERT", ["-T", "5"], 2, r"Createc \.VERT file: its channel columns"),
    ("SPMQT_createc_A180201.124928.VERT", ["-T", "5"], 2, r"sweep signal is time"),
    ("SPMQT_sxm_moire_10nm.sxm", ["-T", "5"], 2, r"Nanonis \.sxm image"),
    ("stoner_PCAR_Co.csv", ["-T", "4.2", "--gaps", "1", "--polarization"], 0, None),
    ("tp_Nb.csv", ["-T", "1.6", "--gaps", "1"], 3, {"high_rms"}),
    ("tp_b2.csv", ["-T", "1.6", "--gaps", "1"], 0, None),
    ("tp_t1.csv", ["-T", "1.6", "--gaps", "1"], 0, None),
    ("tp_NbSe2-FeTaS2_8_2K.csv", ["-T", "2", "--gaps", "1"], 0, None),
    ("tp_NbSe2-FeTaS2_8_3K.csv", ["-T", "3", "--gaps", "1"], 0, None),
    ("sc_3K_modified.dat", ["-T", "3", "--gaps", "1"], 3, {"gamma_exceeds_gap"}),
    ("fist_B0.csv", ["-T", "0.3", "--gaps", "1", "--model", "dynes"], 3, {"high_rms"}),
    ("fist_B0_avg.csv", ["-T", "0.3", "--gaps", "1", "--model", "dynes"], 3, {"high_rms"}),
    ("fist_SampleA.csv", ["-T", "0.3", "--gaps", "1", "--model", "dynes"], 2, r"column 'B' takes 28 values.*--select"),
    ("fist_SampleA.csv", ["-T", "0.3", "--gaps", "1", "--model", "dynes", "--select", "B=0.0"], 3, {"high_rms"}),
]
SLOW_BTK = {"tp_Nb.csv"}

# gaps (meV) that a fit with exit 0 must find: a physical range for the material (not the code's own number)
GAP_RANGE = {"SPMQT_nanonis_sts_15mv.dat": (1.0, 6.0),       # coherence peaks at +-4.5 mV (README)
             "maiani_NIS_Sample1_39.dat": (0.18, 0.35),      # Al film (bulk 0.18 meV, films up to ~0.3 meV)
             "nanonis-xarray_i_v.dat": (0.3, 1.2),           # dip at ~+-1 mV (README)
             "stoner_PCAR_Co.csv": (1.0, 3.0),               # Nb (1.5 meV; see the polarization study)
             "tp_b2.csv": (0.5, 1.6), "tp_t1.csv": (0.5, 1.6),
             "tp_NbSe2-FeTaS2_8_2K.csv": (0.5, 1.6), "tp_NbSe2-FeTaS2_8_3K.csv": (0.5, 1.6)}

MAPS = [
    ("SciFiDatasets_NanonisReader_STS_grid_lockin.3ds", ["--temperature", "5"], 3, None),
    ("SpmGrids_GridSpectroscopy002_KPFM.3ds", ["--temperature", "5"], 2, r"'Current \(A\)' is not a conductance.*"
                                                                        r"--from-current"),
    ("SpmGrids_GridSpectroscopy002_KPFM.3ds", ["--temperature", "5", "--from-current"], 3, None),
    ("SpmGrids_GridSpectroscopy006_Z_aborted.3ds", ["--temperature", "5"], 2, r"sweep signal is Z \(m\)"),
    ("SPMQT_sxm_moire_10nm.sxm", ["--temperature", "5"], 2, r"Nanonis \.sxm image"),
]
SLOW_MAPS = {("SciFiDatasets_NanonisReader_STS_grid_lockin.3ds", 3), ("SpmGrids_GridSpectroscopy002_KPFM.3ds", 3)}


def _param(case, slow):
    return pytest.param(*case, marks=SLOW if slow else (), id=f"{case[0]}:{' '.join(case[1])}")


@pytest.mark.parametrize("name,extra,code,expect", [_param(c, c[0] in SLOW_BTK) for c in BTK])
def test_fit_btk_outcome(real_files, tmp_path, capsys, name, extra, code, expect):
    prefix = tmp_path / "out"
    rc = cli_main(["fit-btk", str(real_files / name), *extra, "-o", str(prefix), "--no-figure"])
    cap = capsys.readouterr()
    assert rc == code, cap.out + cap.err
    if code == 2:
        assert cap.err.startswith("error: ") and re.search(expect, cap.err), cap.err
        assert not prefix.with_suffix(".json").exists()
        return
    res = json.loads(prefix.with_suffix(".json").read_text())
    assert res["status"]["exit_code"] == code
    if code == 3:
        assert expect <= set(res["trust"]["reasons"]), res["trust"]
        assert "NOT DETERMINED" in cap.out
        return
    assert res["trust"]["ok"] and res["fit"]["determined"] and "trust gates: passed" in cap.out
    p = res["fit"]["parameters"]
    lo, hi = GAP_RANGE[name]
    assert lo < p["delta1"]["value"] < hi
    if "h" in p:                                  # spin-split: 0 < h < delta, the peaks at delta +- h
        assert 0.0 < p["h"]["value"] < p["delta1"]["value"] and p["h"]["stderr"] > 0


def test_header_values_are_used_on_the_lockin_file(real_files, tmp_path, capsys):
    rc = cli_main(["fit-btk", str(real_files / "nanonis-xarray_i_v.dat"), "--model", "dynes", "--gaps", "1",
                   "-o", str(tmp_path / "iv"), "--no-figure"])
    out = capsys.readouterr().out
    assert rc == 0
    res = json.loads((tmp_path / "iv.json").read_text())
    assert res["temperature"] == {"value_K": pytest.approx(4.366, abs=1e-3), "source": "header",
                                  "header_K": pytest.approx(4.366, abs=1e-3), "fitted": False}
    assert res["lockin"]["used"] and res["lockin"]["peak_mV"] == pytest.approx(0.15) and "folded into" in out


def test_external_lockin_is_not_folded_in(real_files, tmp_path, capsys):
    cli_main(["fit-btk", str(real_files / "SPMQT_nanonis_sts_15mv.dat"), "--model", "dynes", "--gaps", "1", "-T", "1.5",
              "-o", str(tmp_path / "s"), "--no-figure", "--starts", "1"])
    res = json.loads((tmp_path / "s.json").read_text())
    assert res["lockin"]["used"] is False and res["lockin"]["amplitude_mV"] == pytest.approx(1.5)
    assert "not running" in res["lockin"]["why"]


@pytest.mark.parametrize("name,extra,code,expect", [_param(c, (c[0], c[2]) in SLOW_MAPS) for c in MAPS])
def test_fit_map_outcome(real_files, tmp_path, capsys, name, extra, code, expect):
    out = tmp_path / "maps.nc"
    rc = cli_main(["fit-map", str(real_files / name), *extra, "--workers", "0", "--no-progress", "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == code, cap.out + cap.err
    if code == 2:
        assert cap.err.startswith("error: ") and re.search(expect, cap.err), cap.err
        assert not out.exists()
        return
    maps = xr.load_dataset(out)
    assert not maps["ok"].values.any()                      # no gap anywhere: every pixel flagged
    assert (maps["reason"].values > 0).all() and "no pixel has a determined gap" in cap.out


@pytest.mark.parametrize("argv,pattern", [
    (["fit-btk", "SPMQT_sxm_moire_10nm.sxm", "-T", "5"], r"Nanonis \.sxm image"),
    (["fit-map", "SpmGrids_GridSpectroscopy006_Z_aborted.3ds", "--temperature", "5", "--out", "{tmp}/m.nc"],
     r"sweep signal is Z \(m\)")])
def test_refusals_through_python_m(real_files, tmp_path, argv, pattern):
    args = [a.format(tmp=tmp_path) for a in argv]
    args[1] = str(real_files / args[1])
    cp = subprocess.run([sys.executable, "-m", "nickelates", *args], capture_output=True, text=True, timeout=300,
                        cwd=tmp_path)
    assert cp.returncode == 2 and cp.stderr.startswith("error: ") and re.search(pattern, cp.stderr), cp.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_real_file_has_a_cli_outcome(real_files):
    covered = {c[0] for c in BTK} | {c[0] for c in MAPS}
    present = {p.name for p in real_files.iterdir() if p.is_file() and p.name != "README.md"}
    assert present <= covered, present - covered
