"""The one I/O layer for spectra and grids (issue 22).

Every reader of the library goes through this package:

``text``
    :func:`read_spectrum` (:class:`Spectrum`, :class:`SpectrumFileError`):
    delimited text, Nanonis ``.dat``, GXSM ``.vpdata``, Createc ``.VERT``,
    RHK ``.SM4``; ``from_current=True`` for a Savitzky-Golay dI/dV.
``grid``
    :func:`read_grid`, :func:`read_3ds`, :func:`write_3ds` (:class:`GridFileError`):
    Nanonis ``.3ds`` (own parser, memory-mapped; old headers, aborted grids,
    multi-segment sweeps) and NetCDF/HDF5 cubes.
``channels``
    The one rule for the bias, the dI/dV channel in every Nanonis spelling,
    forward/backward/``[AVG]``/repeat sweeps and units; :func:`savgol_derivative`.
``metadata``
    The header's microscope temperature and lock-in modulation (:class:`LockinInfo`).
``formats``
    :func:`sniff` names a file's format; files that are not spectra are
    refused naming it.
``nanonis``, ``vendors``
    The instruments' layouts.

The old import paths keep working: ``nickelates.btk.io`` and
``nickelates.gapmap.io`` re-export these names.

Examples
--------
>>> from nickelates import readers
>>> readers.channels.channel_kind("LIX 1 omega (A)")
'lockin'
"""
from __future__ import annotations

from . import channels, formats, metadata, nanonis, vendors
from .channels import savgol_derivative
from .formats import GridFileError, SpectrumFileError, sniff
from .grid import CUBE_SUFFIXES, atomic_write_bytes, default_channel, read_3ds, read_grid, write_3ds
from .metadata import LockinInfo, lockin_from_header, temperature_from_header
from .nanonis import HEADER_END
from .text import BIAS_UNITS, DIDV_KINDS, MIN_PLAUSIBLE_MV, Spectrum, read_spectrum

__all__ = ["read_spectrum", "Spectrum", "SpectrumFileError", "LockinInfo", "BIAS_UNITS", "MIN_PLAUSIBLE_MV",
           "DIDV_KINDS", "read_grid", "read_3ds", "write_3ds", "GridFileError", "default_channel",
           "atomic_write_bytes", "HEADER_END", "CUBE_SUFFIXES", "sniff", "savgol_derivative",
           "temperature_from_header", "lockin_from_header", "channels", "formats", "metadata", "nanonis", "vendors"]
