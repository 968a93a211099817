"""Spectroscopic grids: Nanonis ``.3ds`` files and NetCDF/HDF5 cubes as xarray.

The readers live in the one I/O layer :mod:`nickelates.readers` (see
:mod:`nickelates.readers.grid`: own ``.3ds`` parser, memory-mapped, old
headers, aborted grids, multi-segment sweeps, header temperature and
lock-in); this module keeps the old import path ``nickelates.gapmap.io``
and re-exports its names.

Examples
--------
>>> from nickelates.gapmap import io
>>> from nickelates import readers
>>> io.read_grid is readers.read_grid and io.GridFileError is readers.GridFileError
True
"""
from __future__ import annotations

from ..readers.grid import (CUBE_SUFFIXES, HEADER_END, GridFileError, atomic_write_bytes, default_channel, read_3ds,
                            read_grid, write_3ds)

__all__ = ["HEADER_END", "CUBE_SUFFIXES", "GridFileError", "default_channel", "read_3ds", "write_3ds",
           "atomic_write_bytes", "read_grid"]
