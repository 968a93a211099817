"""Spectrum files as measured: units in every spelling, quoted cells, decimal commas, repeats, long format, Nanonis.

The fixture files in ``tests/data/`` are small synthetic spectra written for
these tests (their first lines say so); the others are written in ``tmp_path``.
"""
import math
from pathlib import Path

import numpy as np
import pytest

from nickelates import btk
from nickelates.btk import io as bio

DATA = Path(__file__).resolve().parent / "data"


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _lines(v, g, sep=","):
    return "\n".join(f"{x:.6g}{sep}{y:.6g}" for x, y in zip(v, g)) + "\n"


V_MV = np.linspace(-20, 20, 41)
G = 1 + 0.2 * np.exp(-V_MV ** 2 / 30)


# ------------------------------------------------------------------ bias unit
@pytest.mark.parametrize("name,unit", [
    ("Bias/V", "V"), ("V [V]", "V"), ("bias (mV)", "mV"), ("Bias calc (V)", "V"), ("Bias [mV]", "mV"),
    ("bias_mV", "mV"), ("V(V)", "V"), ("U in uV", "uV"), ("Bias (µV)", "µV"), ("bias [μV]", "μV"),
    ("Vbias [uV]", "uV"), ("Bias [AVG] (V)", "V"), ("Sample bias V", "V"), ("U/mV", "mV"), ("BIAS (MV)", "MV"),
])
def test_bias_unit_from_header_spellings(tmp_path, name, unit):
    scale = btk.BIAS_UNITS[unit.lower()]
    f = _write(tmp_path / "s.csv", f"{name},dI/dV\n" + _lines(V_MV / scale, G))
    s = btk.read_spectrum(f)
    assert s.bias_unit == unit and s.bias_unit_source == "header"
    assert s.bias_mV[[0, -1]] == pytest.approx([-20.0, 20.0], rel=1e-5)


@pytest.mark.parametrize("name", ["V", "bias", "Voltage", "U"])
def test_header_without_unit_is_mV_by_default(tmp_path, name):
    s = btk.read_spectrum(_write(tmp_path / "s.csv", f"{name},G\n" + _lines(V_MV, G)))
    assert s.bias_unit == "mV" and s.bias_unit_source.startswith("default")


def test_volts_without_unit_refused_with_hint():
    f = DATA / "btk_volts_noheader.txt"
    with pytest.raises(btk.SpectrumFileError, match=r"no unit and spans only ±0\.03.*--bias-unit V"):
        btk.read_spectrum(f)
    s = btk.read_spectrum(f, bias_unit="V")
    assert s.bias_mV[[0, -1]] == pytest.approx([-30.0, 30.0]) and s.bias_unit_source == "--bias-unit"
    with pytest.raises(btk.SpectrumFileError, match="must be one of"):
        btk.read_spectrum(f, bias_unit="kV")
    # the explicit unit overrides the header
    assert btk.read_spectrum(DATA / "btk_updown.csv", bias_unit="mV").bias_mV[-1] == pytest.approx(0.03)


def test_threshold_of_plausible_millivolts(tmp_path):
    ok = btk.read_spectrum(_write(tmp_path / "a.txt", _lines(np.linspace(-0.6, 0.6, 25), np.ones(25))))
    assert ok.bias_mV[-1] == pytest.approx(0.6) and bio.MIN_PLAUSIBLE_MV == 0.5
    with pytest.raises(btk.SpectrumFileError, match="--bias-unit V"):
        btk.read_spectrum(_write(tmp_path / "b.txt", _lines(np.linspace(-0.4, 0.4, 25), np.ones(25))))


# ------------------------------------------------------------------ cells and delimiters
def test_quoted_cells_with_commas_inside():
    s = btk.read_spectrum(DATA / "btk_quoted.csv")
    assert s.columns == ("bias (mV)", "dI/dV (a.u., lock-in)") and s.delimiter == ","
    assert s.bias_mV.size == 41 and s.didv[20] == pytest.approx(1.2)


def test_decimal_comma():
    f = DATA / "btk_decimal_comma.txt"
    with pytest.raises(btk.SpectrumFileError, match="--decimal-comma"):
        btk.read_spectrum(f)
    s = btk.read_spectrum(f, decimal_comma=True)
    assert s.delimiter == ";" and s.bias_mV[[0, -1]] == pytest.approx([-30.0, 30.0])
    assert s.didv[20] == pytest.approx(1.2) and s.columns[0] == "Bias [mV]"
    with pytest.raises(TypeError, match="decimal_comma"):
        btk.read_spectrum(f, decimal_comma="yes")


def test_decimal_comma_hint_names_the_line(tmp_path):
    f = _write(tmp_path / "t.txt", "bias\tG\n" + _lines(V_MV, G, "\t") + "1,5\t1,25\n")
    with pytest.raises(btk.SpectrumFileError, match=r"line 43, column 1 .*'1,5'.*--decimal-comma"):
        btk.read_spectrum(f)


@pytest.mark.parametrize("sep,expect", [("\t", "\t"), (";", ";"), (" ", "whitespace"), ("   ", "whitespace")])
def test_delimiters(tmp_path, sep, expect):
    hdr = sep.join(['"bias (mV)"', '"dI/dV (mS)"']) if sep.strip() == "" else f"bias (mV){sep}dI/dV (mS)"
    s = btk.read_spectrum(_write(tmp_path / "s.txt", hdr + "\n" + _lines(V_MV, G, sep)))
    assert s.delimiter == expect and s.columns == ("bias (mV)", "dI/dV (mS)") and s.bias_mV.size == 41


def test_whitespace_header_with_spaced_units_unquoted(tmp_path):
    s = btk.read_spectrum(_write(tmp_path / "s.txt", "bias (mV)   dI/dV [uS]\n" + _lines(V_MV, G, "  ")))
    assert s.columns == ("bias (mV)", "dI/dV [uS]") and s.bias_unit == "mV"


def test_preamble_and_comments_skipped(tmp_path):
    txt = "Sample: LNO film\nOperator: X\n% matlab comment\nbias (mV),G\n" + _lines(V_MV, G)
    s = btk.read_spectrum(_write(tmp_path / "p.csv", txt))
    assert s.columns == ("bias (mV)", "G") and any("preamble" in n and "lines 1-2" in n for n in s.notes)


def test_latin1_file_and_binary_file(tmp_path):
    s = btk.read_spectrum(_write(tmp_path / "l.csv", "Bias (µV);dI/dV\n" + _lines(V_MV * 1e3, G, ";"),
                                 encoding="latin-1"))
    assert s.bias_unit == "µV" and s.bias_mV[-1] == pytest.approx(20.0) and "Latin-1" in s.notes[0]
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02" * 10)
    with pytest.raises(btk.SpectrumFileError, match="not a text file"):
        btk.read_spectrum(tmp_path / "b.bin")


def test_error_columns_are_not_conductance(tmp_path):
    s = btk.read_spectrum(_write(tmp_path / "e.csv", "bias (mV),G,G_err\n" + "\n".join(
        f"{x:g},{y:g},0.01" for x, y in zip(V_MV, G))))
    assert s.columns == ("bias (mV)", "G")


# ------------------------------------------------------------------ repeated bias
def test_up_down_sweep_averaged():
    s = btk.read_spectrum(DATA / "btk_updown.csv")
    assert s.bias_unit == "V" and s.bias_mV.size == 31 and s.n_raw_points == 62 and s.merged_points == 31
    assert np.all(s.counts == 2) and np.all(np.diff(s.bias_mV) > 0)
    up = 1 + 0.2 * np.exp(-s.bias_mV ** 2 / 50)
    assert s.didv == pytest.approx(up + 0.005, abs=2e-5)     # mean of the up sweep and the down sweep (+0.01)
    assert any("merged 31 repeated" in n for n in s.notes) and any("reverses direction 1" in n for n in s.notes)


def test_repeats_and_sawtooth_sweeps(tmp_path):
    rows = _lines(V_MV, G).splitlines()
    dup = rows[:10] + [rows[9], rows[9]] + rows[10:]            # a reading repeated twice
    s = btk.read_spectrum(_write(tmp_path / "d.csv", "\n".join(dup)))
    assert s.merged_points == 2 and s.counts[9] == 3 and s.bias_mV.size == 41
    saw = btk.read_spectrum(_write(tmp_path / "s.csv", "\n".join(rows * 3)))
    assert saw.merged_points == 82 and np.all(saw.counts == 3) and saw.didv == pytest.approx(G, abs=1e-5)


def test_jitter_of_a_measured_bias_is_sorted(tmp_path):
    jit = np.array(V_MV)
    jit[10], jit[11] = V_MV[10] + 0.5, V_MV[11] - 0.6          # -9.5 then -9.6: a 0.1 mV backstep (step 1 mV)
    jit[30], jit[31] = V_MV[30] + 0.9, V_MV[31] - 0.9          # 10.9 then 10.1
    s = btk.read_spectrum(_write(tmp_path / "j.csv", _lines(jit, G)))
    assert np.all(np.diff(s.bias_mV) > 0) and s.merged_points == 0
    assert s.bias_mV[10:12] == pytest.approx([-9.6, -9.5]) and "reverses direction 4" in s.notes[0]


def test_stray_line_is_refused(tmp_path):
    rows = _lines(V_MV, G).splitlines()
    f = _write(tmp_path / "x.csv", "\n".join(rows[:25] + ["-15,1.0"] + rows[25:]))
    with pytest.raises(btk.SpectrumFileError, match=r"line 26: bias is not monotonic .* not at an end"):
        btk.read_spectrum(f)


# ------------------------------------------------------------------ long and wide files
def test_long_format_needs_select():
    f = DATA / "btk_long.csv"
    with pytest.raises(btk.SpectrumFileError, match=r"column 'T \(K\)' takes 3 values \(2, 10, 20\).*--select"):
        btk.read_spectrum(f)
    s = btk.read_spectrum(f, select={"T (K)": "10"})
    assert s.bias_mV.size == 41 and s.select == {"T (K)": "10"} and s.merged_points == 0
    assert s.didv[0] == pytest.approx(1.1 + 0.2 * math.exp(-900 / 50), abs=1e-5)
    assert btk.read_spectrum(f, select={"1": 20.0}).didv[0] == pytest.approx(1.2, abs=1e-5)   # by number
    allT = btk.read_spectrum(f, select={"T (K)": "*"})
    assert allT.merged_points == 82 and allT.didv[0] == pytest.approx(1 + 0.32 / 3, abs=1e-5)
    with pytest.raises(btk.SpectrumFileError, match=r"no line has 'T \(K\)' = '5'.*values present: 2, 10, 20"):
        btk.read_spectrum(f, select={"T (K)": "5"})
    with pytest.raises(btk.SpectrumFileError, match="no column named 'field'"):
        btk.read_spectrum(f, select={"field": "1"})
    with pytest.raises(TypeError, match="select"):
        btk.read_spectrum(f, select=["T (K)=10"])
    with pytest.raises(ValueError, match="select"):
        btk.read_spectrum(f, select={})


def test_long_format_string_key(tmp_path):
    txt = "field,bias (mV),G\n" + "".join(f"{B},{x:g},{y + i:g}\n" for i, B in enumerate(("0T", "1T"))
                                          for x, y in zip(V_MV, G))
    s = btk.read_spectrum(_write(tmp_path / "k.csv", txt), select={"field": "1t"})
    assert s.didv == pytest.approx(G + 1, abs=1e-5)


def test_wide_format_one_column_per_field():
    f = DATA / "btk_wide.tsv"
    with pytest.raises(btk.SpectrumFileError, match=r"several dI/dV columns \('G 0T', 'G 1T', 'G 2T'\).*--didv-column"):
        btk.read_spectrum(f)
    s = btk.read_spectrum(f, didv_column="G 2T")
    assert s.columns == ("Bias (mV)", "G 2T") and s.didv[0] == pytest.approx(1.2, abs=1e-4)
    assert btk.read_spectrum(f, didv_column=3).columns[1] == "G 1T"


# ------------------------------------------------------------------ Nanonis
def test_nanonis_dat_point_spectrum():
    s = btk.read_spectrum(DATA / "btk_nanonis.dat")
    assert s.format == "nanonis" and s.bias_unit == "V" and s.columns == ("Bias calc (V)", "LI Demod 1 X (A)")
    assert s.bias_mV[[0, -1]] == pytest.approx([-6.0, 6.0]) and s.bias_mV.size == 61
    assert s.metadata["Lock-in>Frequency (Hz)"] == "973.1" and s.metadata["Final Z (m)"] == "N/A"
    assert s.merged_points == 61 and any("backward sweep" in n for n in s.notes)
    G = btk.conductance(s.bias_mV, 1.5, 0.43, 0.2, 3.0)
    assert s.didv / 2e-11 == pytest.approx(G, rel=6e-3)       # fwd/bwd average of 0.2 % noise
    fwd = btk.read_spectrum(DATA / "btk_nanonis.dat", didv_column="LI Demod 1 X (A)")
    assert fwd.merged_points == 0 and not fwd.notes


def test_nanonis_avg_column_preferred_and_bad_data(tmp_path):
    txt = ("Experiment\tbias spectroscopy\t\n\n[DATA]\nBias calc (V)\tLI Demod 1 X [00001] (A)\t"
           "LI Demod 1 X [00002] (A)\tLI Demod 1 X [AVG] (A)\n")
    body = "".join(f"{x / 1e3:.5E}\t1E-11\t3E-11\t{y:.5E}\n" for x, y in zip(V_MV, G * 1e-11))
    s = btk.read_spectrum(_write(tmp_path / "a.dat", txt + body))
    assert s.columns[1] == "LI Demod 1 X [AVG] (A)" and s.didv / 1e-11 == pytest.approx(G, rel=1e-5)
    bad = txt + body.replace("1E-11", "abc", 1)
    with pytest.raises(btk.SpectrumFileError, match=r"line 5, column 2 .*'abc'"):
        btk.read_spectrum(_write(tmp_path / "b.dat", bad), didv_column=2)
    with pytest.raises(btk.SpectrumFileError, match="no column names"):
        btk.read_spectrum(_write(tmp_path / "c.dat", "Experiment\tx\n[DATA]\n"))


def test_trailing_delimiters_and_longer_header(tmp_path):
    s = btk.read_spectrum(_write(tmp_path / "t.csv", "Bias (V),G,\n" + "\n".join(
        f"{x / 1e3:g},{y:g}," for x, y in zip(V_MV, G))))
    assert s.bias_unit == "V" and s.columns == ("Bias (V)", "G")
    s = btk.read_spectrum(_write(tmp_path / "h.csv", "bias (mV),G,comment\n" + _lines(V_MV, G)))
    assert s.columns == ("bias (mV)", "G")
    with pytest.raises(btk.SpectrumFileError, match="cannot tell which column is the bias"):
        btk.read_spectrum(_write(tmp_path / "p.csv", "Sample X, run 3, 2024\n" + _lines(V_MV, G)))
