"""Every file of ../shared/real-files through the one I/O layer: read with checked values, or refused naming it.

The files are third-party measurements (provenance in their README); they are
never copied into the repository and are read through the ``real_files``
fixture (fails under CI=true when the folder is missing, skips otherwise).
Expected values come from the README and from independent parses written
here (``numpy.genfromtxt`` of the data block, ``numpy.fromfile`` of the grid
payload), not from the readers.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from nickelates import readers

PUBLISHED = {   # two-column spectra reduced by their publishers: points, first and last bias (mV, sorted)
    "stoner_PCAR_Co.csv": (117, -26.05338, 20.86327, 0),
    "tp_Nb.csv": (1001, -4.70073, 4.70073, 0),
    "tp_b2.csv": (1001, -7.0, 7.0, 0),
    "tp_t1.csv": (601, -6.0, 6.0, 0),
    "tp_NbSe2-FeTaS2_8_2K.csv": (1001, -7.0, 7.0, 0),
    "tp_NbSe2-FeTaS2_8_3K.csv": (1001, -7.0, 7.0, 0),
    "sc_3K_modified.dat": (982, -77.8076, 76.32843, 0),
    "fist_B0.csv": (190, -0.834, 0.752, 4),          # repeated bias points, averaged
    "fist_B0_avg.csv": (190, -0.834, 0.752, 0),
}
INSTRUMENT = {  # file -> outcome checked by the test of the same name below
    "SciFiDatasets_NanonisReader_STS_grid_lockin.3ds": "grid",
    "SpmGrids_GridSpectroscopy002_KPFM.3ds": "refused: current only",
    "SpmGrids_GridSpectroscopy006_Z_aborted.3ds": "refused: Z sweep",
    "nanonis-xarray_i_v.dat": "read",
    "nanonis-xarray_z.dat": "refused: Z sweep",
    "SPMQT_nanonis_sts_15mv.dat": "read",
    "maiani_NIS_Sample1_39.dat": "read with --select",
    "SpmImageTycoon_STS003.dat": "read",
    "SpmSpectroscopy_GXSM_VP001.vpdata": "refused: current only",
    "nanonispy_Bias-Spectroscopy002.dat": "refused: current only",
    "sm4file_test_iv.SM4": "read",
    "SPMQT_createc_vert_didz_image_state.VERT": "refused: channels not named",
    "SPMQT_createc_A180201.124928.VERT": "refused: time trace",
    "SPMQT_sxm_moire_10nm.sxm": "refused: image",
    "fist_SampleA.csv": "read with --select",
}


def _dat_block(path):
    """Column names and numbers of a Nanonis .dat file, parsed independently of the readers."""
    lines = path.read_text().splitlines()
    k = lines.index("[DATA]")
    names = lines[k + 1].rstrip("\t").split("\t")
    return names, np.genfromtxt(lines[k + 2:], delimiter="\t")[:, :len(names)]


def test_every_real_file_has_an_outcome(real_files):
    present = {p.name for p in real_files.iterdir() if p.name != "README.md"}
    assert present == set(PUBLISHED) | set(INSTRUMENT)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_two_column_spectra(real_files, name):
    n, lo, hi, merged = PUBLISHED[name]
    s = readers.read_spectrum(real_files / name)
    assert s.bias_mV.size == n and s.merged_points == merged
    assert s.bias_mV[[0, -1]] == pytest.approx([lo, hi], abs=1e-9) and np.all(np.diff(s.bias_mV) > 0)
    assert s.bias_unit == "mV" and 0.3 < np.median(s.didv) < 3.0        # normalized conductance
    assert s.temperature_K is None and s.lockin is None
    raw = np.loadtxt(real_files / name, delimiter="\t" if name.endswith(".dat") else ",",
                     skiprows=1 if s.header else 0, encoding="utf-8-sig")
    assert s.didv[np.argmin(s.bias_mV)] == pytest.approx(raw[np.argmin(raw[:, 0]), 1], rel=1e-12)


def test_fist_sample_a_long_format(real_files):
    f = real_files / "fist_SampleA.csv"
    with pytest.raises(readers.SpectrumFileError, match=r"column 'B' takes 28 values.*--select"):
        readers.read_spectrum(f)
    s = readers.read_spectrum(f, select={"B": "0"})
    assert s.bias_mV.size == 190 and s.merged_points == 4 and s.columns == ("V", "G")


def test_scifi_lockin_grid_2016_header(real_files):
    p = real_files / "SciFiDatasets_NanonisReader_STS_grid_lockin.3ds"
    da = readers.read_grid(p)
    assert da.shape == (30, 30, 200) and da.attrs["channel"] == "LockinX (V)" and da.attrs["didv_kind"] == "lockin"
    assert da.bias.values[[0, -1]] == pytest.approx([-220.0, 220.0], abs=1e-4) and bool(da.measured.all())
    assert da.attrs["angle_deg"] == 45.0 and "temperature_K" not in da.attrs and "lockin_peak_mV" not in da.attrs
    # independent parse: header ends at ':HEADER_END:\r\n', 10 parameters + 4 channels x 200 points per pixel
    raw = p.read_bytes()
    off = raw.index(b":HEADER_END:") + len(b":HEADER_END:\r\n")
    px = np.frombuffer(raw, ">f4", offset=off).reshape(900, 10 + 800)
    assert np.array_equal(da.values.reshape(900, 200), px[:, 10 + 200:10 + 400].astype(float))
    # README: 49 points clipped at 10 V in 8 pixels (an external lock-in at the end of its range)
    clipped = da.values >= 10.0
    assert int(clipped.sum()) == 49 and int(clipped.any(axis=2).sum()) == 8


def test_kpfm_grid_current_only(real_files):
    p = real_files / "SpmGrids_GridSpectroscopy002_KPFM.3ds"
    with pytest.raises(readers.GridFileError, match=r"no lock-in X channel.*'Current \(A\)'.*--from-current"):
        readers.read_grid(p)
    da = readers.read_grid(p, from_current=True)
    assert da.shape == (20, 20, 128) and da.attrs["didv_kind"] == "numerical_derivative"
    assert da.bias.values[[0, -1]] == pytest.approx([200.0, -100.0], abs=1e-4)     # descending, as swept
    assert "lockin_peak_mV" not in da.attrs


def test_z_grid_aborted_is_refused_naming_z(real_files):
    with pytest.raises(readers.GridFileError, match=r"sweep signal is Z \(m\), not a bias.*\(88 of 1024 pixels"):
        readers.read_grid(real_files / "SpmGrids_GridSpectroscopy006_Z_aborted.3ds")       # README: aborted at 88


def test_z_spectrum_refused_naming_z(real_files):
    with pytest.raises(readers.SpectrumFileError, match=r"sweep signal is Z rel \(m\), not a bias"):
        readers.read_spectrum(real_files / "nanonis-xarray_z.dat")


def test_nanonis_i_v_lix_temperature_lockin(real_files):
    p = real_files / "nanonis-xarray_i_v.dat"
    s = readers.read_spectrum(p)
    assert s.columns == ("Bias calc (V)", "LIX 1 omega (A)") and s.didv_kind == "lockin" and s.didv_unit == "A"
    assert s.bias_mV.size == 201 and s.bias_mV[[0, -1]] == pytest.approx([-8.0, 8.0])
    assert s.temperature_K == 4.366                                   # Ext. VI 1>Microscope temperature (K)
    # Lock-in>Amplitude 150E-6 V, status OFF but Bias Spectroscopy>Lock-In run TRUE: on during the sweep
    assert s.lockin.peak_mV == pytest.approx(0.15) and s.lockin.kind == "peak" and s.lockin.running
    names, d = _dat_block(p)
    fwd, bwd = d[:, names.index("LIX 1 omega (A)")], d[:, names.index("LIX 1 omega [bwd] (A)")]
    assert s.didv == pytest.approx((fwd + bwd) / 2, rel=1e-12)
    ref = np.sqrt(np.mean((fwd - bwd) ** 2)) / np.sqrt(np.mean(((fwd + bwd) / 2) ** 2))
    assert s.fwd_bwd_rms == pytest.approx(ref, rel=1e-9) and 0.05 < s.fwd_bwd_rms < 0.15


def test_spmqt_external_lockin_avg_and_bwd(real_files):
    p = real_files / "SPMQT_nanonis_sts_15mv.dat"
    s = readers.read_spectrum(p)
    assert s.columns[1] == "LockIn [AVG] (V)" and s.bias_mV.size == 401
    assert s.bias_mV[[0, -1]] == pytest.approx([-15.0, 15.0])
    names, d = _dat_block(p)
    avg = (d[:, names.index("LockIn [AVG] (V)")] + d[:, names.index("LockIn [AVG] [bwd] (V)")]) / 2
    assert s.didv == pytest.approx(avg, rel=1e-12)
    # 1.5 mV in the header is the idle Nanonis lock-in (status OFF, Lock-In run FALSE); the dI/dV is external
    assert s.lockin.amplitude_mV == pytest.approx(1.5) and not s.lockin.running
    assert s.temperature_K is None
    # README: coherence peaks at +-4.5 mV, a gap at zero bias
    neg, pos = s.bias_mV < 0, s.bias_mV > 0
    assert s.bias_mV[neg][np.argmax(s.didv[neg])] == pytest.approx(-4.5, abs=0.5)   # README: "~"
    assert s.bias_mV[pos][np.argmax(s.didv[pos])] == pytest.approx(4.5, abs=0.5)
    assert s.didv[200] < 0.4 * min(s.didv[0], s.didv[-1])


def test_maiani_long_format_needs_select_and_volts(real_files):
    f = real_files / "maiani_NIS_Sample1_39.dat"
    with pytest.raises(readers.SpectrumFileError, match=r"'magnet_bpar' takes 201 values.*--select"):
        readers.read_spectrum(f)
    with pytest.raises(readers.SpectrumFileError, match="no unit and spans only.*--bias-unit V"):
        readers.read_spectrum(f, select={"magnet_bpar": "0"})
    s = readers.read_spectrum(f, select={"magnet_bpar": "0"}, bias_unit="V")
    assert s.bias_mV.size == 201 and s.bias_mV[[0, -1]] == pytest.approx([-1.0, 1.0])
    assert s.columns == ("v_bias", "lockin_6_CondX") and s.didv_kind == "lockin"
    assert s.didv[100] < 0.2 * s.didv[0]                          # a hard gap at zero field (40 mK)


def test_graphene_li_x(real_files):
    s = readers.read_spectrum(real_files / "SpmImageTycoon_STS003.dat")
    assert s.columns == ("Bias calc (V)", "LI X (V)") and s.bias_mV.size == 256
    assert s.bias_mV[[0, -1]] == pytest.approx([-600.0, 600.0]) and s.lockin is None


def test_gxsm_vpdata_current_only(real_files):
    p = real_files / "SpmSpectroscopy_GXSM_VP001.vpdata"
    with pytest.raises(readers.SpectrumFileError, match=r"current 'ADC0-I \(nA\)'.*--from-current"):
        readers.read_spectrum(p)
    s = readers.read_spectrum(p, from_current=True)
    assert s.format == "gxsm" and s.bias_mV.size == 400 and s.didv_unit == "nA/mV"
    assert s.bias_mV[[0, -1]] == pytest.approx([-1000.08, 994.85], abs=0.01)


def test_nanonispy_input3_current_only(real_files):
    p = real_files / "nanonispy_Bias-Spectroscopy002.dat"
    with pytest.raises(readers.SpectrumFileError, match=r"current 'Input 3 \(A\)'.*--from-current"):
        readers.read_spectrum(p)
    s = readers.read_spectrum(p, from_current=True)
    assert s.bias_mV.size == 1024 and s.bias_mV[[0, -1]] == pytest.approx([-200.0, 200.0])
    names, d = _dat_block(p)
    i = (d[:, names.index("Input 3 (A)")] + d[:, names.index("Input 3 [bwd] (A)")]) / 2
    slope = np.polyfit(d[:, 0][:11] * 1e3, i[:11], 1)[0]         # A/mV over the first 11 points (window)
    assert s.didv[5] == pytest.approx(slope, rel=0.2)


def test_rhk_sm4(real_files):
    pytest.importorskip("sm4file")
    p = real_files / "sm4file_test_iv.SM4"
    s = readers.read_spectrum(p)
    assert s.format == "rhk" and s.columns == ("Bias (V)", "Conductance2 [00001]") and s.bias_mV.size == 299
    assert s.bias_mV[[0, -1]] == pytest.approx([-1500.549, 1500.549], abs=1e-3)
    assert any("averaged 5 repeated sweeps" in n for n in s.notes)
    cur = readers.read_spectrum(p, from_current=True)
    assert cur.didv_kind == "numerical_derivative" and cur.columns[1].startswith("Current")


@pytest.mark.parametrize("name,pattern", [
    ("SPMQT_createc_vert_didz_image_state.VERT", r"Createc \.VERT file: its channel columns are not named.*dI/dz"),
    ("SPMQT_createc_A180201.124928.VERT", r"Createc \.VERT at fixed bias -50 mV over 5000 points.*time"),
    ("SPMQT_sxm_moire_10nm.sxm", r"Nanonis \.sxm image")])
def test_refused_naming_the_format(real_files, name, pattern):
    with pytest.raises(readers.SpectrumFileError, match=pattern) as err:
        readers.read_spectrum(real_files / name)
    assert str(real_files / name) in str(err.value)
    if name.endswith(".sxm"):
        with pytest.raises(readers.GridFileError, match=re.escape("Nanonis .sxm image")):
            readers.read_grid(real_files / name)
