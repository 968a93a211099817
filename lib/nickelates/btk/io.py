"""Reading point-contact spectra from text files (the input of ``python -m nickelates fit-btk``).

The accepted layout (delimiters, optional header with the column names and
the bias unit, monotonic bias without repeats, a minimum number of points) is
the one described in :mod:`nickelates.cli_btk` and by
``python -m nickelates fit-btk --help``.

Every problem raises :class:`SpectrumFileError` (a ``ValueError``) naming the
file and the line at fault.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

from .. import _validate as check

__all__ = ["SpectrumFileError", "Spectrum", "read_spectrum", "BIAS_UNITS"]

BIAS_UNITS = {"mv": 1.0, "v": 1000.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3}
"""Bias units accepted (lower case) and their value in mV."""
_MIN_POINTS = 20


class SpectrumFileError(ValueError):
    """A spectrum file that cannot be used; the message names the file and the line.

    Parameters
    ----------
    *args
        The message (as for any exception).

    Examples
    --------
    >>> issubclass(SpectrumFileError, ValueError)
    True
    """


@dataclass(frozen=True)
class Spectrum:
    """A spectrum read by :func:`read_spectrum`.

    Attributes
    ----------
    bias_mV : numpy.ndarray
        Bias in mV, strictly increasing.
    didv : numpy.ndarray
        dI/dV as read (unit of the file), in the order of ``bias_mV``.
    header : tuple of str or None
        The header cells, if the file has a header line.
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

    Examples
    --------
    >>> from nickelates import paths
    >>> s = read_spectrum(paths.data_file("btk_sample_spectrum.csv"))
    >>> s.bias_mV.size, s.bias_unit, s.columns
    (1201, 'mV', ('bias (mV)', 'dI/dV (mS)'))
    """

    bias_mV: object
    didv: object
    header: tuple | None
    bias_unit: str
    bias_unit_source: str
    columns: tuple
    delimiter: str
    path: str


def _split(line, delim):
    if delim is None:
        return line.split()
    return [c.strip() for c in line.split(delim)]


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _unit_from_name(name):
    m = re.search(r"[\(\[]\s*([a-zA-Zµμ]+)\s*[\)\]]", name) or re.search(r"[_ ]([muµμ]?V)\s*$", name)
    if m and m.group(1).lower() in BIAS_UNITS:
        return m.group(1)
    return None


def _pick_column(header, spec, patterns, default, what, path):
    if spec is not None:
        if re.fullmatch(r"\d+", str(spec)):
            k = int(spec) - 1
            ncol = len(header) if header else None
            if k < 0 or (ncol is not None and k >= ncol):
                raise SpectrumFileError(f"{path}: --{what}-column {spec} is outside 1..{ncol}")
            return k
        if header is None:
            raise SpectrumFileError(f"{path}: --{what}-column {spec!r} given by name but the file has no header")
        names = [h.lower() for h in header]
        if spec.lower() not in names:
            raise SpectrumFileError(f"{path} line 1: no column named {spec!r} (header: {list(header)})")
        return names.index(spec.lower())
    if header is None:
        return default
    for i, h in enumerate(header):
        if any(re.search(p, h, re.IGNORECASE) for p in patterns):
            return i
    raise SpectrumFileError(
        f"{path} line 1: cannot tell which column is the {what} (header: {list(header)}); "
        f"use --{what}-column NAME_OR_NUMBER")


def _check_column(name, spec):
    if spec is None or isinstance(spec, str):
        return spec
    return check.integer(name, spec, 1)


def read_spectrum(path, bias_column=None, didv_column=None, bias_unit=None, min_points=_MIN_POINTS):
    r"""Read and check a spectrum file (format in the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The text file.
    bias_column, didv_column : str or int, optional
        Column name (as in the header) or 1-based number; default: detected
        from the header, else columns 1 and 2.
    bias_unit : {"mV", "V", "uV"}, optional
        Unit of the bias column; default: from the header, else mV.
    min_points : int, optional
        Fewest data points accepted (>= 2).

    Returns
    -------
    Spectrum
        Bias in mV (increasing) and dI/dV.

    Raises
    ------
    SpectrumFileError
        If the file is missing, not text, or has a malformed, non-numeric,
        non-finite, repeated or non-monotonic line (the message names the line).
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = f.write_text("V [V],G\n" + "\n".join(f"{0.03 - x / 1e3:.3f},1.0" for x in range(30)))
    >>> s = read_spectrum(f)                    # volts, decreasing: read as mV, increasing
    >>> s.bias_mV[[0, -1]].round(6).tolist(), s.bias_unit, s.bias_unit_source
    ([1.0, 30.0], 'V', 'header')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    bias_column = _check_column("bias_column", bias_column)
    didv_column = _check_column("didv_column", didv_column)
    if bias_unit is not None and not isinstance(bias_unit, str):
        raise TypeError(f"bias_unit must be a str such as 'mV', got {type(bias_unit).__name__}")
    min_points = check.integer("min_points", min_points, 2)
    if not os.path.isfile(path):
        raise SpectrumFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8-sig") as fh:
            raw = fh.read().splitlines()
    except UnicodeDecodeError as exc:
        raise SpectrumFileError(f"{path}: not a text file ({exc})") from None
    rows = [(i + 1, ln) for i, ln in enumerate(raw) if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        raise SpectrumFileError(f"{path}: the file has no data lines")
    first = rows[0][1]
    delim = next((d for d in (",", ";", "\t") if d in first), None)
    cells0 = _split(first, delim)
    header = None
    if not all(_is_number(c) for c in cells0 if c != ""):
        header = tuple(c.strip().strip('"').strip("'") for c in cells0)
        hline = rows[0][0]
        rows = rows[1:]
    ib = _pick_column(header, bias_column, [r"bias", r"volt", r"^\s*[vu]\b", r"^\s*[vu]\s*[\(\[_]"],
                      0, "bias", path)
    ig = _pick_column(header, didv_column, [r"di\s*/\s*dv", r"didv", r"cond", r"^\s*g\b", r"^\s*g\s*[\(\[_]"],
                      1, "didv", path)
    if ib == ig:
        raise SpectrumFileError(f"{path}: the bias and dI/dV columns are the same (column {ib + 1})")
    if header is not None and max(ib, ig) >= len(header):
        raise SpectrumFileError(f"{path} line {hline}: the header has {len(header)} columns, "
                                f"need column {max(ib, ig) + 1}")
    unit_src = "--bias-unit"
    if bias_unit is None:
        bias_unit = _unit_from_name(header[ib]) if header else None
        unit_src = "header" if bias_unit else "default (no unit found; assumed mV)"
        bias_unit = bias_unit or "mV"
    if bias_unit.lower() not in BIAS_UNITS:
        raise SpectrumFileError(f"bias unit must be one of mV, V, uV; got {bias_unit!r}")
    scale = BIAS_UNITS[bias_unit.lower()]
    names = (header[ib] if header else f"column {ib + 1}", header[ig] if header else f"column {ig + 1}")
    b, g, lines = [], [], []
    need = max(ib, ig) + 1
    for lineno, ln in rows:
        cells = _split(ln, delim)
        if len(cells) < need:
            raise SpectrumFileError(f"{path} line {lineno}: expected at least {need} columns, "
                                    f"found {len(cells)}: {ln.strip()!r}")
        vals = []
        for k, nm in ((ib, names[0]), (ig, names[1])):
            c = cells[k].strip().strip('"')
            try:
                v = float(c)
            except ValueError:
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): "
                                        f"cannot read {c!r} as a number") from None
            if not math.isfinite(v):
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): "
                                        f"value {c!r} is not finite")
            vals.append(v)
        b.append(vals[0] * scale)
        g.append(vals[1])
        lines.append(lineno)
    if len(b) < min_points:
        raise SpectrumFileError(f"{path}: only {len(b)} data points, need at least {min_points}")
    b = np.array(b)
    g = np.array(g)
    d = np.diff(b)
    for k in range(d.size):
        if d[k] == 0:
            raise SpectrumFileError(f"{path} line {lines[k + 1]}: bias {b[k + 1] / scale:g} {bias_unit} "
                                    f"repeats the value of line {lines[k]} (duplicated bias)")
    sgn = np.sign(d[0])
    bad = np.nonzero(np.sign(d) != sgn)[0]
    if bad.size:
        k = bad[0]
        raise SpectrumFileError(
            f"{path} line {lines[k + 1]}: bias is not monotonic ({b[k + 1] / scale:g} after "
            f"{b[k] / scale:g} {bias_unit} on line {lines[k]}); split up/down sweeps into separate files")
    if sgn < 0:
        b, g = b[::-1], g[::-1]
    return Spectrum(b, g, header, bias_unit, unit_src, names, delim or "whitespace", str(path))


