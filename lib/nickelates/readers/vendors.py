"""Spectra of other instruments as tables for :func:`~nickelates.readers.read_spectrum`.

* **GXSM vector-probe** ``.vpdata``: ``#`` comment header; the column names
  are the quoted cells of the ``#C Index "Bias (V)" "ADC0-I (nA)" ...`` line;
  the data lines are the lines without ``#``.
* **Createc** ``.VERT`` (``[ParVERT30]``/``[ParVERT32]``; text padded with NUL
  bytes): ``key=value`` header, a ``DATA`` line, a line of counts, then rows
  ``index, V (mV), Z, channels...``. The channel columns are not named in
  the file (their set is the bit mask ``Vertchannelselectval``, whose bit
  meaning differs between software versions), so the dI/dV column must be
  chosen with ``didv_column`` (1-based among the columns ``index, V, Z,
  ch1, ...``); a sweep at fixed bias (``Vpoint0.V == Vpoint1.V``) is a time
  trace and is refused naming it.
* **RHK** ``.SM4`` through the maintained reader ``sm4file`` (pinned
  0.1.0): every spectroscopy page is a channel; each holds the bias (V) and
  its repeated sweeps, read as ``[0000n]`` repeats.
"""
from __future__ import annotations

import re
import shlex

import numpy as np

from .formats import SpectrumFileError

__all__ = ["vpdata_table", "vert_table", "sm4_table"]


def vpdata_table(path, raw):
    r"""Header, header line, rows and metadata of a GXSM ``.vpdata`` file (see the module docstring).

    Parameters
    ----------
    path : str
        For messages.
    raw : list of str
        The file's lines.

    Returns
    -------
    tuple
        ``(header, hline, rows, meta)``.

    Raises
    ------
    SpectrumFileError
        If there is no ``#C Index ...`` column line.

    Examples
    --------
    >>> lines = ['# GXSM Vector Probe Data :: VPVersion=00.02', '#C Index\t"Bias (V)"\t"ADC0-I (nA)"',
    ...          '0\t-1.0\t-0.2', '1\t-0.9\t-0.1']
    >>> vpdata_table("v.vpdata", lines)[0]
    ('Index', 'Bias (V)', 'ADC0-I (nA)')
    """
    hline = next((i for i, ln in enumerate(raw) if re.match(r"#C\s+Index\b", ln)), None)
    if hline is None:
        raise SpectrumFileError(f"{path}: GXSM .vpdata without the '#C Index \"Bias (V)\" ...' column line")
    header = tuple(shlex.split(raw[hline][2:].strip()))
    meta = {}
    for ln in raw[:hline]:
        m = re.match(r"#\s*([^:#][^:]*?)\s*::\s*(.*)$", ln)
        if m:
            meta[m.group(1).strip()] = m.group(2).strip()
    rows = [(i + 1, ln.split()) for i, ln in enumerate(raw) if i > hline and ln.strip() and not ln.startswith("#")]
    return header, hline + 1, rows, meta


def vert_table(path, raw):
    r"""Header (generated names), header line, rows and metadata of a Createc ``.VERT`` file.

    Parameters
    ----------
    path : str
        For messages.
    raw : list of str
        The file's lines (NUL bytes removed).

    Returns
    -------
    tuple
        ``(header, hline, rows, meta)``; the header names the columns
        ``Index``, ``V (mV)``, ``Z``, ``channel 1`` ...

    Raises
    ------
    SpectrumFileError
        No ``DATA`` line, or a sweep at fixed bias (the message names it a
        time trace).

    Examples
    --------
    >>> lines = ["[ParVERT32]", "Vpoint0.V=-10", "Vpoint1.V=10", "DATA", "  3 0 0 1",
    ...          "0\t-10\t0\t1.0", "1\t0\t0\t2.0", "2\t10\t0\t3.0"]
    >>> vert_table("a.VERT", lines)[0]
    ('Index', 'V (mV)', 'Z', 'channel 1')
    """
    from .nanonis import _lines

    _lines("raw", raw)
    k = next((i for i, ln in enumerate(raw) if ln.strip() == "DATA"), None)
    if k is None:
        raise SpectrumFileError(f"{path}: Createc .VERT without a DATA section")
    meta = {}
    for ln in raw[:k]:
        if "=" in ln:
            key, _, value = ln.partition("=")
            key = key.split(" / ")[-1].strip()
            meta[key] = value.strip()
    rows = [(i + 1, ln.split()) for i, ln in enumerate(raw) if i > k + 1 and ln.strip()]
    if not rows:
        raise SpectrumFileError(f"{path}: Createc .VERT with an empty DATA section")
    ncol = len(rows[0][1])
    header = ("Index", "V (mV)", "Z") + tuple(f"channel {j}" for j in range(1, ncol - 2))
    v = np.array([float(r[1]) for _, r in rows if len(r) > 1])
    if v.size and np.ptp(v) == 0:
        raise SpectrumFileError(
            f"{path}: Createc .VERT at fixed bias {v[0]:g} mV over {v.size} points: the sweep signal is time "
            f"(an I(t) trace), not a bias sweep")
    return header[:ncol], k + 2, rows, meta


def sm4_table(path):
    """Header, header line, rows and metadata of the spectroscopy pages of an RHK ``.SM4`` file (via ``sm4file``).

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    tuple
        ``(header, hline, rows, meta)``: ``Bias (V)`` then, per page,
        ``LABEL [0000n] (UNIT)`` for each repeated sweep (``A`` for pages named
        current).

    Raises
    ------
    SpectrumFileError
        If ``sm4file`` is not installed, the file is not readable by it, or it
        holds no spectroscopy page (an image).

    Examples
    --------
    >>> sm4_table("missing.SM4")
    Traceback (most recent call last):
    ...
    nickelates.readers.formats.SpectrumFileError: missing.SM4: RHK .SM4 file not readable by sm4file (...)
    """
    try:
        import sm4file
    except ImportError:
        raise SpectrumFileError(f"{path}: RHK .SM4 file: needs the reader 'sm4file' (pip install sm4file==0.1.0), "
                                "or export the spectrum as text from RHK Rev9") from None
    try:
        pages = [ch for ch in sm4file.Sm4(str(path))]
    except Exception as exc:                       # any failure of the third-party reader
        raise SpectrumFileError(f"{path}: RHK .SM4 file not readable by sm4file ({type(exc).__name__})") from None
    spec = [p for p in pages if "SPECTR" in str(getattr(p, "line_type", "")).upper()
            or "SPECTROSCOPY" in str(getattr(p, "page_type", "")).upper()]
    if not spec:
        raise SpectrumFileError(f"{path}: RHK .SM4 file with {len(pages)} page(s) and no spectroscopy page "
                                "(an image, not a spectrum)")
    bias = np.asarray(spec[0].data)[:, 0]
    cols = [bias]
    header = ["Bias (V)"]
    for p in spec:
        d = np.asarray(p.data)
        if d.shape[0] != bias.size or not np.allclose(d[:, 0], bias):
            continue
        unit = "A" if re.search(r"current", p.label, re.IGNORECASE) else ""
        for j in range(1, d.shape[1]):
            header.append(f"{p.label} [{j:05d}]" + (f" ({unit})" if unit else ""))
            cols.append(d[:, j])
    table = np.column_stack(cols)
    rows = [(i + 1, [repr(float(x)) for x in r]) for i, r in enumerate(table)]
    meta = {"RHK pages": ";".join(p.label for p in spec), "RHK line type": str(spec[0].line_type),
            "Bias>Bias (V)": str(getattr(spec[0], "bias", "")), "Current>Current (A)": str(getattr(spec[0], "current", ""))}
    return tuple(header), 0, rows, meta
