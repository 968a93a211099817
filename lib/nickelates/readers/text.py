"""Reading point-contact and tunnelling spectra (the input of ``python -m nickelates fit-btk``).

:func:`read_spectrum` reads

* **delimited text** (CSV and relatives): cells separated by tabs,
  semicolons, commas or whitespace (detected from the data lines; with
  ``decimal_comma=True`` the comma is the decimal mark and never a
  separator); cells may be quoted (``"bias (mV)"``, read by :mod:`csv`);
  lines starting with ``#`` or ``%`` and blank lines are ignored. An optional
  header line names the columns: it is the last line before the first
  numeric line, if it has a name for every data column; earlier non-numeric
  lines are skipped as a preamble (noted).
* **Nanonis point spectra** (``.dat``): ``key<TAB>value`` header lines, a
  ``[DATA]`` line, a line of column names, then tab-separated numbers. The
  header keys are kept in :attr:`Spectrum.metadata`; the first column is the
  sweep signal, and a sweep that is not a bias (``Z rel (m)``, ``Time (s)``)
  is refused naming it.
* **GXSM** ``.vpdata``, **Createc** ``.VERT`` and **RHK** ``.SM4``
  (:mod:`nickelates.readers.vendors`).

Files that are not spectra are refused naming their format: a Nanonis
``.sxm`` image, a ``.3ds`` grid (read with :func:`~nickelates.readers.read_grid`),
an Omicron MATRIX file (read it with ``access2thematrix``), a NetCDF/HDF5
file, an unknown binary file.

Columns (one rule for every format, :mod:`nickelates.readers.channels`): the
bias column is the one whose name contains "bias" or "volt" or is "V"/"U";
the dI/dV column a lock-in X output in any Nanonis spelling, or a column
named as a conductance ("dI/dV", "didv", "cond", "G"); columns named like
errors ("err", "std", "sigma") are skipped. Forward/backward sweeps and
repeats of the chosen channel are averaged (``[AVG]`` and its ``[bwd]``
partner, else the plain column and its ``[bwd]``, else the ``[0000n]``
repeats); :attr:`Spectrum.fwd_bwd_rms` reports their difference. Several
different dI/dV channels are refused, naming them; without a header, the
first two columns. ``bias_column``/``didv_column`` choose explicitly (name
or 1-based number).

A file whose only usable signal is a current (``Current (A)``,
``Input 3 (A)``, ``ADC0-I (nA)``) is refused with a hint to
``--from-current`` (``from_current=True``): the dI/dV is then the
Savitzky-Golay derivative of the current
(:func:`~nickelates.readers.channels.savgol_derivative`: quadratic, window
``sg_window_mV`` or the odd number of points nearest 1 % of the points, at
least 5), in the current's unit per mV.

Bias unit: from the header in any of the usual spellings (``bias (mV)``,
``V [V]``, ``Bias/V``, ``Bias calc (V)``, ``bias_mV``, ``V(V)``, ``U in uV``,
µV/uV ...) or ``bias_unit``. Without a unit the bias is taken as mV, except
that a span below ±:data:`MIN_PLAUSIBLE_MV` mV is refused (it is almost
certainly in volts).

Long-format files (a key column such as a temperature or a field and the
spectra one below the other) are reduced to one spectrum with
``select={"COLUMN": "VALUE"}`` (``"*"`` keeps every value, averaged); a file
whose bias repeats while another column takes a few values is refused
without it, naming the column. Wide files (one dI/dV column per field or
temperature) are read with ``didv_column``.

Repeated bias values (up/down sweeps, repeats, multi-segment sweeps whose
segments share their ends) are averaged; the bias may reverse direction only
at the ends of its range (a sweep), or by less than one bias step (jitter of
a measured bias), otherwise the line is refused. The number of merged
readings is in :attr:`Spectrum.merged_points` and :attr:`Spectrum.notes`.

The header's microscope temperature and lock-in modulation are in
:attr:`Spectrum.temperature_K` and :attr:`Spectrum.lockin`
(:mod:`nickelates.readers.metadata`).

Every problem raises :class:`SpectrumFileError` (a ``ValueError``) naming the
file and the line at fault.
"""
from __future__ import annotations

import csv
import math
import os
import re
import shlex
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from . import channels as chn
from .formats import SpectrumFileError, sniff
from .metadata import LockinInfo, lockin_from_header, temperature_from_header
from .nanonis import dat_table
from .vendors import sm4_table, vert_table, vpdata_table

__all__ = ["SpectrumFileError", "Spectrum", "LockinInfo", "read_spectrum", "BIAS_UNITS", "MIN_PLAUSIBLE_MV",
           "DIDV_KINDS"]

BIAS_UNITS = {"mv": 1.0, "v": 1000.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3}
"""Bias units accepted (lower case) and their value in mV."""
MIN_PLAUSIBLE_MV = 0.5
"""Smallest max|bias| (mV) accepted when the file gives no unit: below it the column is probably in volts."""
DIDV_KINDS = ("lockin", "conductance", "numerical_derivative", "unknown")
"""Values of :attr:`Spectrum.didv_kind`."""
_MIN_POINTS = 20
_COMMENT = ("#", "%")
_DECIMAL_COMMA_CELL = re.compile(r"^[-+]?\d*,\d+(?:[eE][-+]?\d+)?$")
_REFUSED = {
    "nanonis-sxm": "a Nanonis .sxm image (topography/current maps), not a spectrum",
    "nanonis-3ds": "a Nanonis .3ds grid of spectra: read it with read_grid (python -m nickelates fit-map), "
                   "or choose one spectrum",
    "omicron-matrix": "an Omicron MATRIX file: not read here; convert it with access2thematrix "
                      "(pip install access2thematrix) and save the spectrum as text",
    "netcdf": "a NetCDF/HDF5 file: read grids with read_grid (fit-map)",
    "binary": "a binary file of unknown format, not a text spectrum (not a text file: NUL bytes)",
}


@dataclass(frozen=True)
class Spectrum:
    """A spectrum read by :func:`read_spectrum`.

    Attributes
    ----------
    bias_mV : numpy.ndarray
        Bias in mV, strictly increasing.
    didv : numpy.ndarray
        dI/dV as read (unit of the file), in the order of ``bias_mV``; the mean
        of the readings where the bias repeats.
    header : tuple of str or None
        The header cells (column names), if the file has a header line.
    bias_unit : str
        Unit of the bias column in the file ("mV", "V", "uV" ...).
    bias_unit_source : str
        Where the unit came from ("header", "--bias-unit" or the default).
    columns : tuple of str
        Names (or "column N") of the bias and dI/dV columns.
    delimiter : str
        The cell delimiter found ("," ";" tab, or "whitespace").
    path : str
        The file read.
    counts : numpy.ndarray or None
        Number of readings averaged at each bias (all ones without repeats);
        the noise of ``didv`` is the per-reading noise / sqrt(counts).
    n_raw_points : int
        Readings used before merging repeated bias values.
    merged_points : int
        Readings merged into another at the same bias (n_raw_points - bias_mV.size).
    notes : tuple of str
        What the reader did beyond the plain layout (merged repeats, sorted
        sweeps, skipped preamble, selection, averaged backward sweep,
        numerical derivative ...).
    select : dict or None
        The key-column selection applied (column name -> value).
    format : str
        "table" (delimited text), "nanonis" (Nanonis ``.dat``), "gxsm"
        (``.vpdata``), "createc" (``.VERT``) or "rhk" (``.SM4``).
    metadata : dict
        Header ``key -> value`` (empty for plain tables).
    didv_kind : str
        "lockin" (a lock-in output), "conductance" (a column named as a
        conductance), "numerical_derivative" (``from_current=True``) or
        "unknown" (no column names).
    temperature_K : float or None
        Microscope temperature stated in the header (K).
    lockin : LockinInfo or None
        Lock-in modulation stated in the header (amplitude, peak/rms, running).
    sweep_signal : str or None
        Name of the swept column (e.g. ``"Bias calc (V)"``).
    fwd_bwd_rms : float or None
        rms of the forward-backward difference over the rms of their mean,
        when both sweeps exist.
    didv_unit : str
        Unit of ``didv`` ("" when unknown; "A/mV"-like for a numerical derivative).

    Examples
    --------
    >>> from nickelates import paths
    >>> s = read_spectrum(paths.data_file("btk_sample_spectrum.csv"))
    >>> s.bias_mV.size, s.bias_unit, s.columns, s.merged_points, s.didv_kind
    (1201, 'mV', ('bias (mV)', 'dI/dV (mS)'), 0, 'conductance')
    """

    bias_mV: object
    didv: object
    header: tuple | None
    bias_unit: str
    bias_unit_source: str
    columns: tuple
    delimiter: str
    path: str
    counts: object = None
    n_raw_points: int = 0
    merged_points: int = 0
    notes: tuple = ()
    select: dict | None = None
    format: str = "table"
    metadata: dict = field(default_factory=dict)
    didv_kind: str = "unknown"
    temperature_K: float | None = None
    lockin: LockinInfo | None = None
    sweep_signal: str | None = None
    fwd_bwd_rms: float | None = None
    didv_unit: str = ""


# ------------------------------------------------------------------ cells and lines
def _number(cell, decimal_comma):
    c = cell.strip().strip('"').strip("'").strip()
    if decimal_comma:
        c = c.replace(",", ".")
    return float(c)


def _is_number(cell, decimal_comma=False):
    try:
        _number(cell, decimal_comma)
        return True
    except ValueError:
        return False


def _split(line, delim, path, lineno):
    if delim is None:
        try:
            return shlex.split(line, posix=True)
        except ValueError as exc:
            raise SpectrumFileError(f"{path} line {lineno}: {exc} in {line.strip()!r}") from None
    try:
        row = next(csv.reader([line], delimiter=delim, skipinitialspace=True, strict=True))
    except csv.Error as exc:
        raise SpectrumFileError(f"{path} line {lineno}: {exc} in {line.strip()!r}") from None
    row = [c.strip() for c in row]
    while row and row[-1] == "":                 # a trailing delimiter
        row = row[:-1]
    return row


def _is_data(cells, decimal_comma):
    filled = [c for c in cells if c.strip()]
    num = sum(_is_number(c, decimal_comma) for c in filled)
    return num >= 1 and 2 * num >= len(filled)


def _detect_delimiter(lines, decimal_comma):
    """The delimiter present in every probe line (tab, then ';', then ',' unless decimal commas), else whitespace."""
    cands = ("\t", ";") if decimal_comma else ("\t", ";", ",")
    for d in cands:
        if all(d in ln for ln in lines):
            return d
    return None


def _merge_bracket_tokens(cells):
    """Whitespace-split header: glue unit tokens like ``(mV)`` / ``[V]`` to the name before them."""
    out = []
    for c in cells:
        if out and re.fullmatch(r"[\(\[].*[\)\]]", c):
            out[-1] = f"{out[-1]} {c}"
        else:
            out.append(c)
    return out


def _unit_from_name(name):
    """The bias unit written in a column name, in the usual spellings, or None."""
    for m in reversed(re.findall(r"[\(\[\{]\s*([^\(\)\[\]\{\}]*?)\s*[\)\]\}]", name)):
        if m.lower() in BIAS_UNITS:
            return m
    for pat in (r"/\s*([a-zA-Zµμ]+)\s*$", r"(?:^|[_\s,])(?:in\s+)?([muµμ]?[vV])\s*$"):
        m = re.search(pat, name)
        if m and m.group(1).lower() in BIAS_UNITS and not re.fullmatch(r"\s*[vV]\s*", name):
            return m.group(1)
    return None


# ------------------------------------------------------------------ columns
def _column_index(header, spec, what, path, hline):
    ncol = len(header) if header else None
    if re.fullmatch(r"\d+", str(spec)):
        k = int(spec) - 1
        if k < 0 or (ncol is not None and k >= ncol):
            raise SpectrumFileError(f"{path}: {what} {spec} is outside 1..{ncol}")
        return k
    if header is None:
        raise SpectrumFileError(f"{path}: {what} {spec!r} given by name but the file has no header")
    names = [h.lower() for h in header]
    if str(spec).lower() not in names:
        raise SpectrumFileError(f"{path} line {hline}: no column named {spec!r} for {what} "
                                f"(header: {list(header)})")
    return names.index(str(spec).lower())


def _pick_bias(header, spec, path, hline):
    if spec is not None:
        return _column_index(header, spec, "--bias-column", path, hline)
    if header is None:
        return 0
    for i, h in enumerate(header):
        if chn.is_bias(h):
            return i
    raise SpectrumFileError(f"{path} line {hline}: cannot tell which column is the bias (header: {list(header)}); "
                            f"use --bias-column NAME_OR_NUMBER")


# ------------------------------------------------------------------ file layouts
def _text_table(path, raw, decimal_comma, notes):
    lines = [(i + 1, ln) for i, ln in enumerate(raw) if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    if not lines:
        raise SpectrumFileError(f"{path}: the file has no data lines")
    # the first data line: split every line by whitespace-insensitive probing of the candidates
    probe = [ln for _, ln in lines[:400]]
    first = None
    for j, ln in enumerate(probe):
        d = _detect_delimiter([ln], decimal_comma)
        if _is_data(_split(ln, d, path, lines[j][0]), decimal_comma):
            first = j
            break
    if first is None:
        raise SpectrumFileError(f"{path}: no numeric data line found (is this a spectrum file?"
                                + ("" if decimal_comma else " With decimal commas use --decimal-comma.") + ")")
    delim = _detect_delimiter([ln for _, ln in lines[first:first + 5]], decimal_comma)
    n0 = len(_split(lines[first][1], delim, path, lines[first][0]))
    header, hline = None, None
    if first > 0:
        hl_no, hl = lines[first - 1]
        cells = _split(hl, delim, path, hl_no)
        if delim is None and len(cells) != n0:
            cells = _merge_bracket_tokens(cells)
        if len(cells) >= n0:          # names for every data column (and maybe more)
            header, hline = tuple(c.strip().strip('"').strip("'") for c in cells), hl_no
            pre = lines[:first - 1]
        else:
            pre = lines[:first]
        if pre:
            notes.append(f"skipped {len(pre)} preamble line(s) before the "
                         f"{'header' if header else 'data'} (lines {pre[0][0]}-{pre[-1][0]})")
    rows = [(i, _split(ln, delim, path, i)) for i, ln in lines[first:]]
    return header, hline, rows, delim


# ------------------------------------------------------------------ checks of the bias sequence
def _check_order(b, lines, unit, scale, path):
    """Count the reversals of the bias; refuse those that are neither sweeps nor jitter.

    A reversal (turning point) is accepted when it lies at an end of the bias
    range (within 1.5 median steps: an up/down sweep or a repeated ramp), or
    when the run before or after it spans at most 1.5 median steps (jitter of
    a measured bias). Anything else is a stray line.
    """
    d = np.diff(b)
    nz = np.nonzero(d)[0]
    if nz.size < 2:
        return 0
    step = float(np.median(np.abs(d[nz])))
    lo, hi = float(b.min()), float(b.max())
    tol = 1.5 * step
    sgn = np.sign(d[nz])
    turns = [int(nz[j]) for j in range(1, nz.size) if sgn[j] != sgn[j - 1]]   # b[t] is a turning point
    if not turns:
        return 0
    edges = [0, *turns, b.size - 1]
    amp = [abs(b[edges[r + 1]] - b[edges[r]]) for r in range(len(edges) - 1)]
    for i, t in enumerate(turns):
        rising_before = b[t] > b[edges[i]]
        at_end = (rising_before and b[t] >= hi - tol) or (not rising_before and b[t] <= lo + tol)
        if not (at_end or amp[i] <= tol or amp[i + 1] <= tol):
            k = t
            raise SpectrumFileError(
                f"{path} line {lines[k + 1]}: bias is not monotonic ({b[k + 1] / scale:g} after "
                f"{b[k] / scale:g} {unit} on line {lines[k]}) and the reversal is not at an end of the bias "
                f"range (a sweep) nor jitter of about a bias step; up/down sweeps and repeats are averaged, "
                f"stray lines are not: check the file")
    return len(turns)


def _key_column_hint(header, rows, ib, ig, path):
    """A column taking a few values while the bias repeats: a long-format file needing --select."""
    n = len(rows)
    for j, name in enumerate(header):
        if j in (ib, ig):
            continue
        vals = [r[j].strip() if j < len(r) else "" for _, r in rows]
        distinct = list(dict.fromkeys(vals))
        if 2 <= len(distinct) <= max(2, n // 5):
            shown = ", ".join(distinct[:6]) + (", ..." if len(distinct) > 6 else "")
            raise SpectrumFileError(
                f"{path}: the bias repeats and column {name!r} takes {len(distinct)} values ({shown}): a "
                f"long-format file with one spectrum per value; choose one with --select '{name}={distinct[0]}' "
                f"(select={{{name!r}: {distinct[0]!r}}}), or '{name}=*' to average them all")


def _apply_select(header, hline, rows, select, decimal_comma, path):
    keep = rows
    for col, want in select.items():
        j = _column_index(header, col, "--select", path, hline)
        if want == "*":
            continue
        wnum = _is_number(want, decimal_comma)
        out = []
        for lineno, r in keep:
            c = r[j].strip() if j < len(r) else ""
            if wnum and _is_number(c, decimal_comma):
                hit = math.isclose(_number(c, decimal_comma), _number(want, decimal_comma), rel_tol=1e-9,
                                   abs_tol=1e-12)
            else:
                hit = c.casefold() == want.strip().casefold()
            if hit:
                out.append((lineno, r))
        if not out:
            present = list(dict.fromkeys(r[j].strip() for _, r in keep if j < len(r)))
            raise SpectrumFileError(f"{path}: --select {col}={want}: no line has {header[j]!r} = {want!r} "
                                    f"(values present: {', '.join(present[:10])}{', ...' if len(present) > 10 else ''})")
        keep = out
    return keep


def _check_select(select):
    if select is None:
        return None
    if not isinstance(select, dict):
        raise TypeError(f"select must be a dict {{column: value}} (--select COLUMN=VALUE), got {type(select).__name__}")
    out = {}
    for k, v in select.items():
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise TypeError(f"select: column must be a name or a 1-based number, got {k!r}")
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise TypeError(f"select: value for {k!r} must be a str or a number, got {type(v).__name__}")
        out[str(k)] = str(v)
    if not out:
        raise ValueError("select must name at least one column (--select COLUMN=VALUE)")
    return out


def _check_column(name, spec):
    if spec is None or isinstance(spec, str):
        return spec
    return check.integer(name, spec, 1)




# ------------------------------------------------------------------ files and layouts
def _read_lines(path, strip_nul=False):
    with open(path, "rb") as fh:
        data = fh.read()
    if b"\x00" in data:
        if not strip_nul:
            raise SpectrumFileError(f"{path}: not a text file (NUL bytes)")
        data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8-sig").splitlines(), None
    except UnicodeDecodeError:
        return data.decode("latin-1").splitlines(), "not UTF-8: read as Latin-1"


def _refuse_format(fmt, path):
    if fmt == "missing":
        raise SpectrumFileError(f"{path}: no such file")
    if fmt in _REFUSED:
        raise SpectrumFileError(f"{path}: {_REFUSED[fmt]}")


def _names_of(header, idx):
    return ", ".join(repr(header[i]) for i in idx)


def _pick_didv(header, spec, ib, path, hline, *, header_lockin, from_current):
    """(forward columns, backward columns, kind, description) of the dI/dV (or, from_current, the current)."""
    if spec is not None:
        k = _column_index(header, spec, "--didv-column", path, hline)
        kind = chn.channel_kind(header[k], header_lockin=header_lockin) if header else "unknown"
        return [k], [], kind, "chosen"
    if header is None:
        return [1], [], "unknown", "column 2"
    names = list(header)
    cands = [i for i, h in enumerate(header) if i != ib and not chn.error_name(h) and not chn.parse_channel(h).filt]
    kinds = {i: chn.channel_kind(header[i], header_lockin=header_lockin) for i in cands}

    def bases(kset):
        out = {}
        for i in cands:
            if kinds[i] in kset:
                out.setdefault(chn.parse_channel(header[i]).base.lower(), i)
        return out

    if from_current:
        cur = bases({"current"})
        if not cur:
            raise SpectrumFileError(f"{path} line {hline}: --from-current: no current channel (in A, nA, pA ...) "
                                    f"among {names}")
        base = "current" if "current" in cur else next(iter(cur))
        fwd, bwd, desc = chn.group_sweeps(names, chn.parse_channel(header[cur[base]]).base)
        return fwd, bwd, "current", desc
    lock = bases({"lockin", "input"})
    cond = bases({"conductance"})
    if len(lock) > 1:
        internal = {b: i for b, i in lock.items() if re.match(r"li\s*demod|lix|li\s+x", b)}
        lock = dict(list(internal.items())[:1]) or lock
    if lock:
        found, kind = lock, "lockin"
    elif cond:
        found, kind = cond, "conductance"
    else:
        cur = bases({"current"})
        if cur:
            raise SpectrumFileError(
                f"{path} line {hline}: no dI/dV channel: the only signal is the current "
                f"{_names_of(header, cur.values())}, which is not a conductance; use --from-current "
                f"(from_current=True) for a smoothed numerical derivative (Savitzky-Golay), or --didv-column")
        raise SpectrumFileError(f"{path} line {hline}: cannot tell which column is the dI/dV (header: "
                                f"{names}); use --didv-column NAME_OR_NUMBER")
    if len(found) > 1:
        raise SpectrumFileError(
            f"{path} line {hline}: several dI/dV columns ({_names_of(header, found.values())}), "
            f"e.g. one per field or temperature: choose one with --didv-column NAME_OR_NUMBER")
    i0 = next(iter(found.values()))
    fwd, bwd, desc = chn.group_sweeps(names, chn.parse_channel(header[i0]).base)
    return fwd, bwd, kind, desc


def _layout(path, fmt, decimal_comma, notes):
    """(header, hline, rows, delimiter, metadata, format name) of any supported layout."""
    if fmt == "rhk-sm4":
        header, hline, rows, meta = sm4_table(path)
        return header, hline, rows, "whitespace", meta, "rhk"
    raw, enc_note = _read_lines(path, strip_nul=fmt == "createc-vert")
    if enc_note:
        notes.append(enc_note)
    if fmt == "createc-vert":
        header, hline, rows, meta = vert_table(path, raw)
        return header, hline, rows, "whitespace", meta, "createc"
    if fmt == "gxsm-vpdata":
        header, hline, rows, meta = vpdata_table(path, raw)
        return header, hline, rows, "whitespace", meta, "gxsm"
    if any(ln.strip() == "[DATA]" for ln in raw):
        header, hline, rows, meta = dat_table(path, raw, _split)
        return header, hline, rows, "\t", meta, "nanonis"
    header, hline, rows, delim = _text_table(path, raw, decimal_comma, notes)
    return header, hline, rows, "whitespace" if delim is None else delim, {}, "table"


def _values(rows, cols, need, decimal_comma, path):
    vals = np.empty((len(rows), len(cols)))
    lines = []
    for r, (lineno, cells) in enumerate(rows):
        if len(cells) < need:
            raise SpectrumFileError(f"{path} line {lineno}: expected at least {need} columns, "
                                    f"found {len(cells)}: {' '.join(cells)!r}")
        for q, (k, nm, strict) in enumerate(cols):
            c = cells[k].strip()
            try:
                v = _number(c, decimal_comma)
            except ValueError:
                hint = ("; the file seems to use decimal commas: use --decimal-comma"
                        if not decimal_comma and _DECIMAL_COMMA_CELL.match(c) else "")
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): "
                                        f"cannot read {c!r} as a number{hint}") from None
            if strict and not math.isfinite(v):
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): value {c!r} is not finite")
            vals[r, q] = v
        lines.append(lineno)
    return vals, lines


# ------------------------------------------------------------------ the reader
def read_spectrum(path, bias_column=None, didv_column=None, bias_unit=None, min_points=_MIN_POINTS, *,
                  decimal_comma=False, select=None, from_current=False, sg_window_mV=None):
    r"""Read and check a spectrum file (formats in the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The file (delimited text, Nanonis ``.dat``, GXSM ``.vpdata``,
        Createc ``.VERT``, RHK ``.SM4``).
    bias_column, didv_column : str or int, optional
        Column name (as in the header) or 1-based number; default: detected
        from the header, else columns 1 and 2. With ``from_current=True``,
        ``didv_column`` names the current column.
    bias_unit : {"mV", "V", "uV", "µV"}, optional
        Unit of the bias column (overrides the header); default: from the
        header, else mV (refused when max|bias| < :data:`MIN_PLAUSIBLE_MV`).
    min_points : int, optional
        Fewest distinct bias points accepted (>= 2).
    decimal_comma : bool, optional
        Numbers use a decimal comma ("1,25"); cells are then separated by
        tabs, semicolons or whitespace.
    select : dict, optional
        ``{column: value}`` (name or 1-based number -> value, compared as
        numbers when both are numbers): keep only the lines of a long-format
        file with these values; the value ``"*"`` keeps all (averaged).
    from_current : bool, optional
        Take the dI/dV as the Savitzky-Golay derivative of the current channel
        (``--from-current``; unit: the current's unit per mV).
    sg_window_mV : float, optional
        Width (mV) of the Savitzky-Golay window (default: 1 % of the points,
        at least 5 points); only with ``from_current=True``.

    Returns
    -------
    Spectrum
        Bias in mV (increasing, repeats averaged), dI/dV, what was done, and
        the header's temperature and lock-in.

    Raises
    ------
    SpectrumFileError
        If the file is missing, not a spectrum (the message names its format),
        a sweep of something else than the bias (named), current-only without
        ``from_current`` (the message suggests ``--from-current``), or has a
        malformed, non-numeric, non-finite or out-of-order line (the message
        names the line), an ambiguous column, or a unit-less bias too small
        for mV.
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``min_points`` < 2, ``select`` is empty or ``sg_window_mV`` <= 0.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.csv").write_text("Bias/V,G\n" + "\n".join(f"{0.03 - x / 1e3:.3f},1.0" for x in range(30)))
    >>> s = read_spectrum(d / "s.csv")                    # volts, decreasing: read as mV, increasing
    >>> s.bias_mV[[0, -1]].round(6).tolist(), s.bias_unit, s.bias_unit_source
    ([1.0, 30.0], 'V', 'header')
    >>> up = [f"{x};{1 + x / 100:.2f}".replace(".", ",") for x in range(-25, 26)]
    >>> _ = (d / "updown.txt").write_text("bias (mV);dI/dV\n" + "\n".join(up + up[::-1]))
    >>> s = read_spectrum(d / "updown.txt", decimal_comma=True)   # an up and a down sweep
    >>> s.bias_mV.size, s.merged_points, int(s.counts.max())
    (51, 51, 2)
    >>> _ = (d / "iv.csv").write_text("V (mV),Current (nA)\n" + "\n".join(f"{x},{2 * x}" for x in range(-30, 31)))
    >>> s = read_spectrum(d / "iv.csv", from_current=True)       # I = 2 nA/mV * V
    >>> round(float(s.didv[30]), 9), s.didv_kind, s.didv_unit
    (2.0, 'numerical_derivative', 'nA/mV')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    bias_column = _check_column("bias_column", bias_column)
    didv_column = _check_column("didv_column", didv_column)
    if bias_unit is not None and not isinstance(bias_unit, str):
        raise TypeError(f"bias_unit must be a str such as 'mV', got {type(bias_unit).__name__}")
    if bias_unit is not None and bias_unit.lower() not in BIAS_UNITS:
        raise SpectrumFileError(f"bias_unit (--bias-unit) must be one of mV, V, uV, µV; got {bias_unit!r}")
    min_points = check.integer("min_points", min_points, 2)
    decimal_comma = check.boolean("decimal_comma", decimal_comma)
    from_current = check.boolean("from_current", from_current)
    if sg_window_mV is not None:
        sg_window_mV = check.positive("sg_window_mV", sg_window_mV)
    select = _check_select(select)
    fmt_found = sniff(path)
    _refuse_format(fmt_found, path)
    if not os.path.isfile(path):
        raise SpectrumFileError(f"{path}: no such file")
    notes = []
    header, hline, rows, delim, meta, fmt = _layout(path, fmt_found, decimal_comma, notes)
    if fmt == "nanonis" and bias_column is None and header and not chn.is_bias(header[0]):
        exp = meta.get("Experiment", "")
        raise SpectrumFileError(
            f"{path}: the sweep signal is {header[0]}, not a bias" + (f" (Experiment: {exp})" if exp else "")
            + ": a dI/dV spectrum sweeps the bias; this file is not one")
    ib = (0 if (fmt == "nanonis" and bias_column is None and header) else
          _pick_bias(header, bias_column, path, hline))
    header_lockin = any(k.startswith("Lock-in>") for k in meta)
    if fmt == "createc" and didv_column is None:
        raise SpectrumFileError(
            f"{path}: Createc .VERT file: its channel columns are not named (Vertchannelselectval="
            f"{meta.get('Vertchannelselectval', '?')}, title {meta.get('Titel', '')!r}); choose the dI/dV column "
            f"with --didv-column N (1-based among {list(header)})")
    fwd, bwd, kind, desc = _pick_didv(header, didv_column, ib, path, hline, header_lockin=header_lockin,
                                      from_current=from_current)
    if kind == "current" and not from_current:
        raise SpectrumFileError(f"{path}: column {header[fwd[0]]!r} is a current, not a conductance; use "
                                f"--from-current (from_current=True) for its numerical derivative")
    if from_current and kind not in ("current", "unknown"):
        raise SpectrumFileError(f"{path}: --from-current: column {header[fwd[0]]!r} is not a current")
    if ib in fwd:
        raise SpectrumFileError(f"{path}: the bias and dI/dV columns are the same (column {ib + 1})")
    if header is not None and max([ib, *fwd, *bwd]) >= len(header):
        raise SpectrumFileError(f"{path} line {hline}: the header has {len(header)} columns, "
                                f"need column {max([ib, *fwd, *bwd]) + 1}")
    if select is not None:
        if header is None:
            raise SpectrumFileError(f"{path}: --select needs a header line naming the columns")
        rows = _apply_select(header, hline, rows, select, decimal_comma, path)
        notes.append("selected the lines with " + ", ".join(f"{k} = {v}" if v != "*" else f"any {k} (averaged)"
                                                            for k, v in select.items()))

    unit_src = "--bias-unit"
    if bias_unit is None:
        bias_unit = _unit_from_name(header[ib]) if header else None
        unit_src = "header" if bias_unit else "default (no unit found; assumed mV)"
        bias_unit = bias_unit or "mV"
    scale = BIAS_UNITS[bias_unit.lower()]

    def name_of(k):
        return header[k] if header else f"column {k + 1}"

    names = (name_of(ib), name_of(fwd[0]))
    cols = [(ib, names[0], True)] + [(k, name_of(k), True) for k in fwd] + [(k, name_of(k), False) for k in bwd]
    need = max(c for c, _, _ in cols) + 1
    vals, lines = _values(rows, cols, need, decimal_comma, path)
    b = vals[:, 0] * scale
    if b.size and np.unique(b).size < b.size and select is None and header is not None and fmt == "table":
        _key_column_hint(header, rows, ib, fwd[0], path)
    reversals = _check_order(b, lines, bias_unit, scale, path)
    g = vals[:, 1:1 + len(fwd)].mean(axis=1)
    if len(fwd) > 1:
        notes.append(f"averaged {len(fwd)} repeated sweeps ({_names_of(header, fwd)})")
    fb = None
    if bwd:
        gb = vals[:, 1 + len(fwd):].mean(axis=1)
        if not np.all(np.isfinite(gb)):
            notes.append(f"ignored the backward sweep {_names_of(header, bwd)}: it has non-finite values "
                         f"(an interrupted sweep)")
        else:
            fb = chn.fwd_bwd_rms(g, gb)
            b = np.concatenate([b, b])
            g = np.concatenate([g, gb])
            notes.append(f"averaged the backward sweep {_names_of(header, bwd)} with the forward sweep; "
                         f"rms(fwd - bwd) / rms(mean) = {fb:.3g}")
    n_raw = int(b.size)
    if reversals:
        notes.append(f"the bias reverses direction {reversals} time(s) (sweeps): points sorted by bias")
    bias, inv, counts = np.unique(b, return_inverse=True, return_counts=True)
    didv = np.bincount(inv, weights=g, minlength=bias.size) / counts
    merged = n_raw - int(bias.size)
    if merged:
        notes.append(f"merged {merged} repeated reading(s): {n_raw} readings at {bias.size} distinct bias values "
                     f"(up to {counts.max()} per bias, averaged)")
    if bias.size < min_points:
        raise SpectrumFileError(f"{path}: only {bias.size} data points, need at least {min_points}")
    if unit_src.startswith("default"):
        span = float(np.max(np.abs(bias)))
        if span < MIN_PLAUSIBLE_MV:
            raise SpectrumFileError(
                f"{path}: the bias column {names[0]!r} has no unit and spans only ±{span:g}; read as mV that "
                f"is too small for a gap spectrum (below ±{MIN_PLAUSIBLE_MV:g} mV): it is probably in volts, "
                f"use --bias-unit V (bias_unit='V'), or --bias-unit mV if it really is in mV")
    unit = chn.parse_channel(names[1]).unit if header else ""
    didv_kind = {"lockin": "lockin", "input": "lockin", "conductance": "conductance"}.get(kind, "unknown")
    if from_current:
        try:
            didv, w = chn.savgol_derivative(bias, didv, sg_window_mV)
        except ValueError as exc:
            raise SpectrumFileError(f"{path}: --from-current: {exc}") from None
        didv_kind = "numerical_derivative"
        if header is None:
            notes.append(f"no column names: {names[1]} taken as the current (--from-current)")
        unit = f"{unit}/mV" if unit else ""
        notes.append(f"dI/dV = Savitzky-Golay derivative of {names[1]!r} (scipy.signal.savgol_filter, order "
                     f"{chn.SAVGOL_ORDER}, window {w} points = {w * float(np.median(np.diff(bias))):.3g} mV)")
    t = temperature_from_header(meta)
    if t is not None:
        notes.append(f"temperature {t[0]:g} K from the header ({t[1]})")
    lockin = lockin_from_header(meta, names[1] if header else None) if meta else None
    if lockin is not None and from_current:
        lockin = LockinInfo(lockin.amplitude_mV, lockin.kind, lockin.peak_mV, False,
                            lockin.source + "; dI/dV is a numerical derivative of the current")
    return Spectrum(bias, didv, header, bias_unit, unit_src, names, delim, str(path), counts=counts,
                    n_raw_points=n_raw, merged_points=merged, notes=tuple(notes), select=select, format=fmt,
                    metadata=meta, didv_kind=didv_kind, temperature_K=None if t is None else float(t[0]),
                    lockin=lockin, sweep_signal=names[0], fwd_bwd_rms=fb, didv_unit=unit)
