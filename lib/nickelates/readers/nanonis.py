"""Nanonis files: ``.dat`` point spectra (tables) and ``.3ds`` grid headers, parsed by this package.

``.dat``: ``key<TAB>value`` header lines, a ``[DATA]`` line, a line of column
names, tab-separated numbers; the first column is the sweep signal
(``Bias calc (V)``, ``Z rel (m)``, ``Time (s)`` ...).

``.3ds``: ``key=value`` header lines up to ``:HEADER_END:``, then per pixel
the fixed and experiment parameters and every channel's sweep as big-endian
float32. Only the keys needed to locate the data are required (``Grid dim``,
``Grid settings``, ``Sweep Signal``, ``# Parameters (4 byte)``, ``Points``,
``Channels``): the 2016 header without ``Delay before measuring (s)``,
``Start time``/``End time`` or ``Comment`` reads (nanonispy2 1.2.0 refuses it).
The sweep axis is linear from the ``Sweep Start``/``Sweep End`` parameters of
the first measured pixel, or, for a multi-segment sweep (``Bias
Spectroscopy>Sweep mode=MLS``), the concatenated segments of ``Bias
Spectroscopy>MultiLine Settings``.
"""
from __future__ import annotations

import re

import numpy as np

from .. import _validate as check
from .formats import GridFileError, SpectrumFileError


def _lines(name, raw):
    """``raw`` is a list of str lines (TypeError naming ``name`` otherwise)."""
    check.instance(name, raw, (list, tuple), "a list of str lines")
    for ln in raw:
        check.instance(f"{name}[i]", ln, str, "a line (str)")
    return raw

__all__ = ["HEADER_END", "dat_table", "parse_3ds_header", "mls_segments", "mls_bias"]

#: header end tag of Nanonis grid files
HEADER_END = ":HEADER_END:"
_REQUIRED = ("Grid dim", "Grid settings", "Sweep Signal", "# Parameters (4 byte)", "Points", "Channels")


def dat_table(path, raw, split):
    r"""Header cells, header line number, data rows ``[(lineno, cells)]`` and metadata of a ``.dat`` file.

    Parameters
    ----------
    path : str
        For messages.
    raw : list of str
        The file's lines.
    split : callable
        ``split(line, delimiter, path, lineno) -> list of str``.

    Returns
    -------
    tuple
        ``(header, hline, rows, meta)``.

    Raises
    ------
    SpectrumFileError
        If the ``[DATA]`` section has no column names.

    Examples
    --------
    >>> h, hl, rows, meta = dat_table("x.dat", ["Date\t1.1.2026\t", "[DATA]", "Bias calc (V)\tI (A)",
    ...                                         "1E-3\t2E-12"], lambda ln, d, p, i: ln.split(d))
    >>> h, hl, rows, meta
    (('Bias calc (V)', 'I (A)'), 3, [(4, ['1E-3', '2E-12'])], {'Date': '1.1.2026'})
    """
    _lines("raw", raw)
    k = next((i for i, ln in enumerate(raw) if ln.strip() == "[DATA]"), None)
    if k is None:
        raise SpectrumFileError(f"{path}: no [DATA] section")
    meta = {}
    for ln in raw[:k]:
        if "\t" in ln:
            key, _, value = ln.partition("\t")
            if key.strip():
                meta[key.strip()] = value.strip().rstrip("\t").strip()
    body = [(i + 1, ln) for i, ln in enumerate(raw) if i > k and ln.strip()]
    if not body:
        raise SpectrumFileError(f"{path} line {k + 1}: the [DATA] section has no column names")
    hline, hl = body[0]
    header = tuple(c.strip() for c in hl.rstrip("\n").split("\t") if c.strip())
    rows = [(i, split(ln, "\t", path, i)) for i, ln in body[1:]]
    return header, hline, rows, meta


def _unquote(v):
    v = v.strip()
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


def parse_3ds_header(raw, name):
    r"""The header of a ``.3ds`` file as a dict, with the layout keys parsed.

    Parameters
    ----------
    raw : bytes
        At least the header (up to and including ``:HEADER_END:``).
    name : str
        File name for messages.

    Returns
    -------
    dict
        ``meta`` (all keys as strings), ``nx``, ``ny``, ``center`` (x, y),
        ``size`` (x, y), ``angle``, ``sweep`` (the sweep signal), ``fixed``,
        ``experiment`` (parameter names), ``npar``, ``points``, ``channels``,
        ``offset`` (byte offset of the data).

    Raises
    ------
    GridFileError
        No end tag, a missing layout key (named), or an unreadable value.

    Examples
    --------
    >>> raw = (b'Grid dim="2 x 1"\r\nGrid settings=0;0;1E-9;1E-9;0\r\nSweep Signal="Bias (V)"\r\n'
    ...        b'Fixed parameters="Sweep Start;Sweep End"\r\nExperiment parameters="X (m)"\r\n'
    ...        b'# Parameters (4 byte)=3\r\nPoints=4\r\nChannels="Current (A)"\r\n:HEADER_END:\r\n')
    >>> h = parse_3ds_header(raw, "g.3ds")
    >>> h["nx"], h["ny"], h["sweep"], h["channels"], h["offset"] == len(raw)
    (2, 1, 'Bias (V)', ['Current (A)'], True)
    """
    check.instance("raw", raw, (bytes, bytearray, memoryview), "the file's bytes")
    raw = bytes(raw)
    end = raw.find(HEADER_END.encode())
    if end < 0:
        raise GridFileError(f"{name}: not a Nanonis grid file (no {HEADER_END} tag)")
    offset = end + len(HEADER_END)
    if raw[offset:offset + 2] == b"\r\n":
        offset += 2
    elif raw[offset:offset + 1] == b"\n":
        offset += 1
    text = raw[:end].decode("latin-1")
    meta = {}
    for ln in text.splitlines():
        if "=" in ln:
            key, _, value = ln.partition("=")
            meta[key.strip()] = _unquote(value)
    for key in _REQUIRED:
        if key not in meta:
            what = "the sweep signal" if key == "Sweep Signal" else f"the entry {key!r}"
            raise GridFileError(f"{name}: header has no {what} ({key}=...)")
    try:
        nx, ny = (int(v) for v in re.findall(r"\d+", meta["Grid dim"])[:2])
        settings = [float(v) for v in meta["Grid settings"].split(";")]
        npar = int(meta["# Parameters (4 byte)"])
        points = int(meta["Points"])
    except ValueError as exc:
        raise GridFileError(f"{name}: unreadable header ({exc})") from None
    if len(settings) < 4:
        raise GridFileError(f"{name}: unreadable header (Grid settings={meta['Grid settings']})")
    sweep = meta["Sweep Signal"].strip()
    if not sweep:
        raise GridFileError(f"{name}: header has an empty sweep signal (Sweep Signal=)")

    def split(s):
        return [c for c in s.split(";") if c.strip()]

    return {"meta": meta, "nx": nx, "ny": ny, "center": (settings[0], settings[1]), "size": (settings[2], settings[3]),
            "angle": settings[4] if len(settings) > 4 else 0.0, "sweep": sweep,
            "fixed": split(meta.get("Fixed parameters", "")), "experiment": split(meta.get("Experiment parameters", "")),
            "npar": npar, "points": points, "channels": split(meta["Channels"]), "offset": offset}


def mls_segments(meta):
    """Segments ``(start_V, end_V, steps)`` of a multi-segment (MLS) sweep, or None when the sweep is linear.

    Parameters
    ----------
    meta : dict
        Header keys; read only when ``Bias Spectroscopy>Sweep mode`` is ``MLS``.

    Returns
    -------
    list of tuple or None

    Examples
    --------
    >>> key = ("Bias Spectroscopy>MultiLine Settings : Segment Start (V), Segment End (V), Settling (s), "
    ...        "Integration (s), Steps (xn)")
    >>> mls_segments({"Bias Spectroscopy>Sweep mode": "MLS", key: "-1,0,1E-4,1E-4,3,0,1,1E-4,1E-4,5"})
    [(-1.0, 0.0, 3), (0.0, 1.0, 5)]
    >>> mls_segments({"Bias Spectroscopy>Sweep mode": "Linear", key: "-1,1,1E-4,1E-4,256"}) is None
    True
    """
    check.instance("meta", meta, dict, "a header dict {key: value}")
    if str(meta.get("Bias Spectroscopy>Sweep mode", "")).strip().upper() != "MLS":
        return None
    key = next((k for k in meta if k.startswith("Bias Spectroscopy>MultiLine Settings")), None)
    if key is None:
        return None
    vals = [v for v in str(meta[key]).replace(";", ",").split(",") if v.strip()]
    if len(vals) % 5:
        return None
    try:
        return [(float(vals[i]), float(vals[i + 1]), int(float(vals[i + 4]))) for i in range(0, len(vals), 5)]
    except ValueError:
        return None


def mls_bias(segments):
    """The bias points (V) of a multi-segment sweep, segment after segment (``steps`` points each, ends included).

    Parameters
    ----------
    segments : list of tuple
        From :func:`mls_segments`.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> mls_bias([(-1.0, 0.0, 3), (0.0, 1.0, 5)]).tolist()
    [-1.0, -0.5, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0]
    """
    return np.concatenate([np.linspace(a, b, n) for a, b, n in segments])
