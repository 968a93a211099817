"""The one I/O layer (nickelates.readers) on small synthetic files, one per quirk of real instruments.

Each file is written by the test in the layout the instrument writes (checked
against the real files of ../shared/real-files, see test_readers_real.py);
expected values are computed here by hand, independently of the readers.
"""
from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest

from nickelates import btk, gapmap, readers
from nickelates.readers import channels as chn
from nickelates.readers import metadata as md

V = np.linspace(-10.0, 10.0, 101)                   # mV
G = 1.0 + 0.5 * np.exp(-V ** 2 / 8.0)
MLS_KEY = ("Bias Spectroscopy>MultiLine Settings : Segment Start (V), Segment End (V), Settling (s), "
           "Integration (s), Steps (xn)")


def nanonis_dat(path, columns, header=None, sweep="Bias calc (V)", sweep_values=None):
    """A Nanonis .dat point spectrum: key<TAB>value header, [DATA], names, tab-separated numbers."""
    head = {"Experiment": "bias spectroscopy", "Date": "01.12.2026 10:00:00", **(header or {})}
    x = V / 1e3 if sweep_values is None else sweep_values
    names = [sweep, *columns]
    table = np.column_stack([x, *columns.values()])
    lines = [f"{k}\t{v}\t" for k, v in head.items()] + ["", "[DATA]", "\t".join(names)]
    lines += ["\t".join(f"{v:.9E}" for v in row) for row in table]
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------ channel names, one rule
@pytest.mark.parametrize("name,kind", [
    ("LI Demod 1 X (A)", "lockin"), ("LI Demod 2 Y (A)", "lockin_other"), ("LIX 1 omega (A)", "lockin"),
    ("LIY 1 omega [bwd] (A)", "lockin_other"), ("LI X (V)", "lockin"), ("LI Y (V)", "lockin_other"),
    ("LockinX (V)", "lockin"), ("LockinY (V)", "lockin_other"), ("LockIn [AVG] [bwd] (V)", "lockin"),
    ("lockin_6_CondX", "lockin"), ("dI/dV (nS)", "conductance"), ("G", "conductance"), ("Current (A)", "current"),
    ("Input 3 (A) [bwd] [filt]", "current"), ("ADC0-I (nA)", "current"), ("Bias_m (V)", "other"),
    ("Frequency Shift (Hz)", "other"), ("Input 2 (V)", "other")])
def test_channel_kinds(name, kind):
    assert chn.channel_kind(name) == kind


def test_external_input_is_a_lockin_only_with_a_lockin_header(tmp_path):
    assert chn.channel_kind("Input 2 (V)", header_lockin=True) == "input"
    hdr = {"Lock-in>Amplitude": "2E-3", "Lock-in>Lock-in status": "OFF"}
    s = readers.read_spectrum(nanonis_dat(tmp_path / "in.dat", {"Current (A)": 1e-12 * V, "Input 2 (V)": G},
                                          header=hdr))
    assert s.columns[1] == "Input 2 (V)" and s.didv_kind == "lockin"
    assert s.lockin.amplitude_mV == pytest.approx(2.0) and not s.lockin.running     # an external lock-in


@pytest.mark.parametrize("name", ["LIX 1 omega (A)", "LI X (V)", "LI Demod 3 X (A)", "LockinX (V)"])
def test_every_lockin_spelling_is_the_didv(tmp_path, name):
    y = "LIY 1 omega (A)" if name.startswith("LIX") else name.replace("X", "Y")
    s = btk.read_spectrum(nanonis_dat(tmp_path / "s.dat", {"Current (A)": 1e-12 * V, name: G, y: 0 * G}))
    assert s.columns == ("Bias calc (V)", name) and s.didv == pytest.approx(G, rel=1e-8)
    assert s.didv_kind == "lockin" and s.didv_unit == chn.parse_channel(name).unit


def test_avg_column_with_its_own_bwd_partner_is_one_signal(tmp_path):
    fwd, bwd = G, G * 1.02
    cols = {"Current [AVG] (A)": 1e-12 * V, "LockIn [AVG] (V)": fwd, "LockIn [00001] (V)": fwd + 0.1,
            "LockIn [00002] (V)": fwd - 0.1, "Current [AVG] [bwd] (A)": 1e-12 * V, "LockIn [AVG] [bwd] (V)": bwd,
            "LockIn [00001] [bwd] (V)": bwd + 0.1, "LockIn [00002] [bwd] (V)": bwd - 0.1}
    s = readers.read_spectrum(nanonis_dat(tmp_path / "avg.dat", cols))
    assert s.columns[1] == "LockIn [AVG] (V)" and s.didv == pytest.approx(1.01 * G, rel=1e-8)
    # rms(fwd - bwd) / rms(mean) by hand: |fwd - bwd| = 0.02 G, mean = 1.01 G
    assert s.fwd_bwd_rms == pytest.approx(0.02 / 1.01, rel=1e-6)
    assert any("[AVG] [bwd]" in n for n in s.notes)


def test_repeats_without_avg_are_averaged(tmp_path):
    cols = {"LIX 1 omega [00001] (A)": G + 0.2, "LIX 1 omega [00002] (A)": G - 0.1, "LIX 1 omega [00003] (A)": G - 0.1}
    s = readers.read_spectrum(nanonis_dat(tmp_path / "rep.dat", cols))
    assert s.didv == pytest.approx(G, rel=1e-8) and any("3 repeated sweeps" in n for n in s.notes)
    assert s.fwd_bwd_rms is None


def test_multi_segment_bias_sweep_in_a_dat(tmp_path):
    seg = np.concatenate([np.linspace(-10, -2, 9), np.linspace(-2, 2, 41), np.linspace(2, 10, 9)])   # mV
    g = 1.0 + 0.5 * np.exp(-seg ** 2 / 8.0)
    p = nanonis_dat(tmp_path / "mls.dat", {"LI Demod 1 X (A)": g},
                    header={"Bias Spectroscopy>Sweep mode": "MLS", MLS_KEY: "-10E-3,-2E-3,1E-4,1E-4,9,"
                            "-2E-3,2E-3,1E-4,1E-4,41,2E-3,10E-3,1E-4,1E-4,9"}, sweep_values=seg / 1e3)
    s = readers.read_spectrum(p)
    assert s.bias_mV.size == 57 and s.merged_points == 2                 # the two shared segment ends
    assert np.diff(s.bias_mV).min() == pytest.approx(0.1) and np.diff(s.bias_mV).max() == pytest.approx(1.0)


@pytest.mark.parametrize("sweep,word", [("Z rel (m)", "Z rel (m)"), ("Time (s)", "Time (s)")])
def test_non_bias_sweep_refused_naming_the_sweep(tmp_path, sweep, word):
    p = nanonis_dat(tmp_path / "z.dat", {"Current (A)": G, "LIX 1 omega (A)": G}, sweep=sweep,
                    header={"Experiment": "Z spectroscopy"})
    with pytest.raises(readers.SpectrumFileError, match="sweep signal is " + re.escape(word) + ", not a bias"):
        readers.read_spectrum(p)


# ------------------------------------------------------------------ current only
def test_current_only_refused_with_from_current_hint_then_derivative(tmp_path):
    cur = 2e-12 * V + 3e-15 * V ** 3                  # A; dI/dV = 2e-12 + 9e-15 V^2 A/mV
    p = nanonis_dat(tmp_path / "iv.dat", {"Input 3 (A)": cur, "Input 3 [bwd] (A)": cur,
                                          "Input 3 (A) [filt]": np.full_like(V, np.nan)})
    with pytest.raises(readers.SpectrumFileError, match=r"only signal is the current 'Input 3 \(A\)'.*--from-current"):
        readers.read_spectrum(p)
    with pytest.raises(readers.SpectrumFileError, match="--from-current"):
        readers.read_spectrum(p, didv_column="Input 3 (A)")
    s = readers.read_spectrum(p, from_current=True)
    assert s.didv_kind == "numerical_derivative" and s.didv_unit == "A/mV" and s.fwd_bwd_rms == 0.0
    # a quadratic Savitzky-Golay slope is exact for a cubic up to O(h^2 V'''): 5 points, h = 0.2 mV
    assert s.didv[2:-2] == pytest.approx(2e-12 + 9e-15 * V[2:-2] ** 2, rel=2e-3)
    assert any("Savitzky-Golay" in n and "window 5 points" in n for n in s.notes)
    wide = readers.read_spectrum(p, from_current=True, sg_window_mV=2.0)
    assert any("window 11 points" in n for n in wide.notes)
    with pytest.raises(ValueError, match="sg_window_mV"):
        readers.read_spectrum(p, from_current=True, sg_window_mV=-1.0)


def test_savgol_derivative_on_a_non_uniform_grid():
    v = np.concatenate([np.linspace(-10, -2, 17)[:-1], np.linspace(-2, 2, 81)[:-1], np.linspace(2, 10, 17)])
    g, w = readers.savgol_derivative(v, 4.0 * v - 0.5 * v ** 2)
    assert w == 5 and g == pytest.approx(4.0 - v, abs=1e-9)          # exact for a quadratic


def test_clipped_lockin_reads(tmp_path):
    clipped = np.minimum(12.0 * G, 10.0)                 # saturated at the 10 V input range
    s = readers.read_spectrum(nanonis_dat(tmp_path / "clip.dat", {"LockinX (V)": clipped}))
    assert s.didv.max() == 10.0 and int(np.sum(s.didv == 10.0)) == int(np.sum(12.0 * G >= 10.0)) > 3


# ------------------------------------------------------------------ header: temperature and lock-in
@pytest.mark.parametrize("key,value,expect", [
    ("Ext. VI 1>Microscope temperature (K)", "+04.366", 4.366), ("Temperature 1>Temperature 1 (K)", "1.2E+0", 1.2),
    ("STM Temperature (K)", "0.04", 0.04)])
def test_temperature_from_header(tmp_path, key, value, expect):
    s = readers.read_spectrum(nanonis_dat(tmp_path / "t.dat", {"LIX 1 omega (A)": G}, header={key: value}))
    assert s.temperature_K == expect and any(key in n for n in s.notes)


@pytest.mark.parametrize("status,run,channel,running", [
    ("ON", "FALSE", "LI Demod 1 X (A)", True), ("OFF", "TRUE", "LIX 1 omega (A)", True),
    ("OFF", "FALSE", "LIX 1 omega (A)", False), ("ON", "TRUE", "LockIn (V)", False)])
def test_lockin_running_only_for_its_own_channel(tmp_path, status, run, channel, running):
    hdr = {"Lock-in>Lock-in status": status, "Bias Spectroscopy>Lock-In run": run,
           "Lock-in>Modulated signal": "Bias (V)", "Lock-in>Amplitude": "1.5E-3"}
    s = readers.read_spectrum(nanonis_dat(tmp_path / "l.dat", {channel: G}, header=hdr))
    assert s.lockin == readers.LockinInfo(1.5, "peak", 1.5, running, s.lockin.source)


def test_lockin_of_another_signal_and_rms_conversion():
    meta = {"Lock-in>Amplitude": "1E-10", "Lock-in>Modulated signal": "Z (m)", "Lock-in>Lock-in status": "ON"}
    assert not md.lockin_from_header(meta, "LIX 1 omega (A)").running
    assert md.lockin_from_header({}, "LIX 1 omega (A)") is None
    info = md.LockinInfo(1.0, "rms", np.sqrt(2.0), True, "SR830 sine output, V rms")
    assert info.peak_mV == pytest.approx(1.41421356)


# ------------------------------------------------------------------ formats
def test_files_that_are_not_spectra_are_refused_naming_them(tmp_path):
    sxm = tmp_path / "img.sxm"
    sxm.write_bytes(b":NANONIS_VERSION:\n2\n:SCANIT_TYPE:\n FLOAT MSBFIRST\n:SCANIT_END:\n\x1a\x04" + b"\x00" * 64)
    with pytest.raises(readers.SpectrumFileError, match=r"Nanonis \.sxm image"):
        readers.read_spectrum(sxm)
    with pytest.raises(readers.GridFileError, match=r"Nanonis \.sxm image"):
        readers.read_grid(sxm)
    blob = tmp_path / "x.bin"
    blob.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(readers.SpectrumFileError, match="binary file"):
        readers.read_spectrum(blob)
    for name in ("default_0001.mtrx", "run--1_1.I(V)_mtrx"):
        with pytest.raises(readers.SpectrumFileError, match="Omicron MATRIX.*access2thematrix"):
            readers.read_spectrum(tmp_path / name)
    grid = tmp_path / "g.3ds"
    gapmap.write_3ds(grid, np.ones((1, 1, 8)), np.linspace(-1, 1, 8))
    with pytest.raises(readers.SpectrumFileError, match=r"Nanonis \.3ds grid.*read_grid"):
        readers.read_spectrum(grid)
    assert readers.sniff(grid) == "nanonis-3ds" and readers.sniff(sxm) == "nanonis-sxm"


def test_gxsm_vpdata_quoted_column_names(tmp_path):
    lines = ["# GXSM Vector Probe Data :: VPVersion=00.02 vdate=20070227", "# Probe Data Number      :: N=101",
             "#C ", "#C Data Table             :: data=",
             '#C Index\t"Bias (V)"\t"ADC0-I (nA)"\t"ADC4 (V)"\t"Bias (V)"\tBlock-Start-Index']
    lines += [f"{i}\t{v / 1e3:.6e}\t{0.05 * v:.6e}\t0.0\t{v / 1e3:.6e}\t0" for i, v in enumerate(V)]
    p = tmp_path / "vp.vpdata"
    p.write_text("\n".join(lines + ["#C ", "#C END."]) + "\n")
    with pytest.raises(readers.SpectrumFileError, match=r"'ADC0-I \(nA\)'.*--from-current"):
        readers.read_spectrum(p)
    s = readers.read_spectrum(p, from_current=True)
    assert s.format == "gxsm" and s.columns == ("Bias (V)", "ADC0-I (nA)")
    assert s.didv == pytest.approx(np.full(V.size, 0.05), rel=1e-5) and s.didv_unit == "nA/mV"


def test_createc_vert_with_nul_padding(tmp_path):
    head = "[ParVERT32]\r\nTitel / Titel=test\r\nVpoint0.V=-10.0\r\nVpoint1.V=10.0\r\nDATA\r\n  101 0 0 7\r\n"
    rows = "".join(f"{i}\t{v:.5E}\t0.0\t{1e3 * v:.5E}\t{g:.5E}\t\r\n" for i, (v, g) in enumerate(zip(V, G)))
    p = tmp_path / "a.VERT"
    p.write_bytes(head.encode() + b"\x00" * 300 + rows.encode())
    with pytest.raises(readers.SpectrumFileError, match="--didv-column"):
        readers.read_spectrum(p)
    s = readers.read_spectrum(p, didv_column=5)
    assert s.format == "createc" and s.bias_mV[[0, -1]] == pytest.approx([-10, 10]) and s.didv == pytest.approx(G, rel=1e-5)
    q = tmp_path / "t.VERT"
    q.write_bytes(head.replace("Vpoint1.V=10.0", "Vpoint1.V=-10.0").encode()
                  + "".join(f"{i}\t-1.0E+01\t0\t{i}\r\n" for i in range(50)).encode())
    with pytest.raises(readers.SpectrumFileError, match=r"Createc \.VERT at fixed bias -10 mV.*time"):
        readers.read_spectrum(q)


def test_rhk_sm4_without_a_spectroscopy_page(monkeypatch, tmp_path):
    sm4file = pytest.importorskip("sm4file")

    class Page:
        label, line_type, page_type, data = "Topography", "RHK_LINE_NOT_A_LINE", "RHK_PAGE_TOPOGRAPHIC", None

    monkeypatch.setattr(sm4file, "Sm4", lambda path: iter([Page()]))
    p = tmp_path / "img.SM4"
    p.write_bytes(b"\x38\x00" + "STiMage 005.006 1".encode("utf-16-le") + b"\x00" * 64)
    with pytest.raises(readers.SpectrumFileError, match=r"RHK \.SM4 file with 1 page\(s\) and no spectroscopy page"):
        readers.read_spectrum(p)


# ------------------------------------------------------------------ grids
def test_old_2016_header_reads(tmp_path):
    cube = np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8)
    p = tmp_path / "old.3ds"
    gapmap.write_3ds(p, cube, np.linspace(-4, 4, 8), legacy_header=True,
                     channels=("Current (A)", "LockinX (V)", "LockinY (V)"), channel="LockinX (V)")
    assert b"Delay before measuring" not in p.read_bytes()
    da = readers.read_grid(p)
    assert da.attrs["channel"] == "LockinX (V)" and np.array_equal(da.values, cube)
    assert da.attrs["didv_kind"] == "lockin" and "temperature_K" not in da.attrs and "lockin_peak_mV" not in da.attrs


def test_aborted_grid_keeps_finished_pixels(tmp_path):
    cube = 1.0 + np.arange(3 * 4 * 8, dtype=float).reshape(3, 4, 8)
    p = tmp_path / "aborted.3ds"
    gapmap.write_3ds(p, cube, np.linspace(-4, 4, 8), n_measured=5)
    da = gapmap.read_grid(p)
    flat = da.values.reshape(12, 8)
    assert np.array_equal(flat[:5], cube.reshape(12, 8)[:5]) and np.isnan(flat[5:]).all()
    assert da.measured.values.ravel().tolist() == [True] * 5 + [False] * 7 and da.attrs["n_measured"] == 5
    assert "aborted grid: 5 of 12" in da.attrs["notes"]


def test_z_grid_refused_naming_the_sweep(tmp_path):
    p = tmp_path / "z.3ds"
    gapmap.write_3ds(p, np.ones((2, 2, 8)), np.linspace(-1, 1, 8), sweep_signal="Z (m)")
    with pytest.raises(readers.GridFileError, match=r"sweep signal is Z \(m\), not a bias"):
        readers.read_grid(p)


def test_mls_grid_bias_from_segments(tmp_path):
    p = tmp_path / "mls.3ds"
    segs = "-5E-3,-1E-3,1E-4,1E-4,3,-1E-3,1E-3,1E-4,1E-4,5"
    gapmap.write_3ds(p, np.ones((1, 2, 8)), np.linspace(-5, 1, 8),
                     header={"Bias Spectroscopy>Sweep mode": "MLS", MLS_KEY: segs})
    da = readers.read_grid(p)
    assert da.bias.values == pytest.approx([-5, -3, -1, -1, -0.5, 0, 0.5, 1])


def test_grid_header_attrs_and_backward_average(tmp_path):
    chans = ("Current (A)", "LIX 1 omega (A)", "Current [bwd] (A)", "LIX 1 omega [bwd] (A)")
    fwd = np.ones((2, 2, 8))
    p = tmp_path / "hdr.3ds"
    gapmap.write_3ds(p, fwd, np.linspace(-1, 1, 8), channels=chans, channel="LIX 1 omega (A)",
                     extra={"LIX 1 omega [bwd] (A)": 3 * fwd},
                     header={"Ext. VI 1>Microscope temperature (K)": "+00.040", "Lock-in>Lock-in status": "ON",
                             "Lock-in>Modulated signal": '"Bias (V)"', "Lock-in>Amplitude": "200E-6"})
    da = readers.read_grid(p)
    assert np.all(da.values == 2.0) and da.attrs["fwd_bwd_rms"] == pytest.approx(1.0)   # |1-3| / 2
    assert da.attrs["temperature_K"] == 0.04 and da.attrs["lockin_peak_mV"] == pytest.approx(0.2)
    assert da.attrs["lockin_running"] == 1 and da.attrs["lockin_kind"] == "peak"
    assert all(isinstance(v, (str, int, float)) for v in da.attrs.values())      # NetCDF-safe
    single = readers.read_grid(p, channel="LIX 1 omega")
    assert np.all(single.values == 1.0)


def test_current_only_grid_and_from_current(tmp_path):
    bias = np.linspace(-10, 10, 41)
    cur = np.broadcast_to(2e-12 * bias + 1e-14 * bias ** 2, (2, 3, 41))
    p = tmp_path / "cur.3ds"
    gapmap.write_3ds(p, cur, bias, channels=("Current (A)", "Z (m)"), channel="Current (A)")
    with pytest.raises(readers.GridFileError, match="no lock-in X channel.*--from-current"):
        readers.read_grid(p)
    da = readers.read_grid(p, from_current=True)
    assert da.attrs["didv_kind"] == "numerical_derivative" and da.attrs["units"] == "A/mV"
    assert da.values[1, 2] == pytest.approx(2e-12 + 2e-14 * bias, rel=1e-4)   # exact for a quadratic (float32 data)


def test_grid_reader_refuses_point_spectra_naming_them(tmp_path):
    p = nanonis_dat(tmp_path / "s.dat", {"LIX 1 omega (A)": G})
    with pytest.raises(readers.GridFileError, match=r"Nanonis \.dat point spectrum.*read_spectrum"):
        readers.read_grid(p)


def test_grid_read_holds_one_copy_of_the_channel(tmp_path):
    """A 64 x 64 x 201 grid (the memory rule of a 256 x 256 x 201 one, at 1/16 of the size)."""
    ny, nx, nb = 64, 64, 201
    p = tmp_path / "big.3ds"
    rng = np.random.default_rng(1)
    gapmap.write_3ds(p, rng.random((ny, nx, nb)), np.linspace(-5, 5, nb),
                     channels=("Current (A)", "LI Demod 1 X (A)", "LI Demod 1 Y (A)", "Z (m)"))
    channel_bytes = ny * nx * nb * 8
    warm = tmp_path / "warm.3ds"                       # first call: lazy imports of xarray/pandas, not data
    gapmap.write_3ds(warm, np.ones((1, 1, 8)), np.linspace(-1, 1, 8))
    readers.read_grid(warm)
    tracemalloc.start()
    try:
        da = readers.read_grid(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert da.shape == (ny, nx, nb) and peak < 1.3 * channel_bytes, (peak, channel_bytes)


def test_old_import_paths_keep_working():
    from nickelates.btk.io import LockinInfo, Spectrum, SpectrumFileError, read_spectrum
    from nickelates.gapmap.io import CUBE_SUFFIXES, HEADER_END, GridFileError, atomic_write_bytes, read_grid
    assert read_spectrum is readers.read_spectrum and Spectrum is btk.Spectrum and LockinInfo is readers.LockinInfo
    assert SpectrumFileError is readers.SpectrumFileError and GridFileError is gapmap.GridFileError
    assert read_grid is gapmap.read_grid and atomic_write_bytes is readers.atomic_write_bytes
    assert HEADER_END == ":HEADER_END:" and ".nc" in CUBE_SUFFIXES
    old = btk.Spectrum(np.zeros(2), np.ones(2), None, "mV", "header", ("a", "b"), ",", "x")   # old constructor
    assert old.didv_kind == "unknown" and old.temperature_K is None and old.lockin is None
