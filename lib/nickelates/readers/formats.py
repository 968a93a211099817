"""What kind of file is this? Error classes and the format sniffer of :mod:`nickelates.readers`.

:func:`sniff` looks at the suffix and the first bytes of a file and names its
format; the readers use it to refuse, with the format's name, files that are
not spectra (a Nanonis ``.sxm`` image, an unknown binary file) or formats read
by another package (Omicron MATRIX: ``access2thematrix``).
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SpectrumFileError", "GridFileError", "sniff", "FORMATS", "MATRIX_SUFFIXES"]

#: names returned by :func:`sniff`
FORMATS = ("nanonis-dat", "nanonis-3ds", "nanonis-sxm", "gxsm-vpdata", "createc-vert", "rhk-sm4", "omicron-matrix",
           "netcdf", "text", "binary", "missing")
#: Omicron MATRIX suffixes (result files ``*.I(V)_mtrx``, ``*.Z_mtrx`` ... and the ``*_0001.mtrx`` session file)
MATRIX_SUFFIXES = ("_mtrx", ".mtrx")


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


class GridFileError(ValueError):
    """A grid file that cannot be read; the message names the file and what is wrong.

    A subclass of ``ValueError``.

    Parameters
    ----------
    *args
        The message (as for any exception).

    Examples
    --------
    >>> from nickelates.readers import read_grid
    >>> try:
    ...     read_grid("missing.3ds")
    ... except GridFileError as exc:
    ...     print(exc)
    missing.3ds: no such file
    """


def sniff(path):
    r"""Name the format of a file from its suffix and its first bytes.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    str
        One of :data:`FORMATS`: ``"nanonis-dat"`` (a ``[DATA]`` section),
        ``"nanonis-3ds"`` (``Grid dim=`` header), ``"nanonis-sxm"``
        (``:NANONIS_VERSION:``), ``"gxsm-vpdata"``, ``"createc-vert"``
        (``[ParVERT``), ``"rhk-sm4"`` (UTF-16 ``STiMage`` signature),
        ``"omicron-matrix"`` (by suffix), ``"netcdf"`` (HDF5/NetCDF
        signature), ``"text"``, ``"binary"`` or ``"missing"``.

    Raises
    ------
    TypeError
        If ``path`` is not a str or path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("bias,G\n1,2\n")
    >>> sniff(p), sniff(p.with_name("none.csv"))
    ('text', 'missing')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    low = p.name.lower()
    if low.endswith(MATRIX_SUFFIXES):
        return "omicron-matrix"
    if not p.is_file():
        return "missing"
    with open(p, "rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"\x89HDF") or head.startswith(b"CDF"):
        return "netcdf"
    if b"STiMage" in head[:40].replace(b"\x00", b"") or low.endswith(".sm4"):
        return "rhk-sm4"
    if b":NANONIS_VERSION:" in head[:200] or (low.endswith(".sxm") and b":SCANIT_TYPE:" in head):
        return "nanonis-sxm"
    if head.startswith(b"Grid dim=") or (low.endswith(".3ds") and b"Grid dim" in head):
        return "nanonis-3ds"
    if head.lstrip(b"\x00").startswith(b"[ParVERT") or low.endswith(".vert"):
        return "createc-vert"
    if b"GXSM Vector Probe" in head[:4096] or low.endswith(".vpdata"):
        return "gxsm-vpdata"
    text = head.replace(b"\r", b"")
    if b"\n[DATA]\n" in text or text.startswith(b"[DATA]\n"):
        return "nanonis-dat"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:           # not a multibyte character cut at the end of the probe
            try:
                head.decode("latin-1")
                if sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100:
                    return "binary"
            except UnicodeDecodeError:
                return "binary"
    return "text"
