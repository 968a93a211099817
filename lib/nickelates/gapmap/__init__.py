"""Gap maps: fit whole spectroscopic grids (STM / point contact) on Dask (chapter 5).

Units: bias in mV, gaps and broadenings in meV, temperature in K, coordinates in m.

Submodules
----------
``io``
    :func:`read_grid` (Nanonis ``.3ds`` through ``nanonispy2``, NetCDF/HDF5
    cubes through xarray), :func:`read_3ds`, :func:`write_3ds`,
    :class:`GridFileError`.
``fit``
    The per-spectrum model and fit: :func:`spectrum_model`,
    :func:`fit_spectrum` (:class:`PixelFit`), :func:`fit_rows`,
    :func:`parameter_names`, :func:`initial_guess`, :data:`REASONS`.
``engine``
    :func:`fit_map` (``dask.distributed``: a ``LocalCluster``, a scheduler
    address or a client; resumable scratch store), :func:`write_maps`,
    :func:`pixel_curve`.
``synthetic``
    :func:`~nickelates.gapmap.synthetic.synthetic_film`: STM grids of an
    inhomogeneous film from the triplon model (chapter 5).

Examples
--------
>>> from nickelates import gapmap
>>> gapmap.parameter_names("dynes", 1)
('delta1', 'gamma1', 'scale')
"""
from __future__ import annotations

from .engine import ROWS_PER_CHUNK, fit_map, pixel_curve, write_maps
from .fit import (BACKGROUND_DEGREE, MODELS, REASONS, T_MIN, PixelFit, SpectrumModel, fit_rows, fit_spectrum,
                  initial_guess, parameter_names, spectrum_model)
from . import synthetic
from .io import GridFileError, atomic_write_bytes, default_channel, read_3ds, read_grid, write_3ds

__all__ = ["fit_map", "write_maps", "pixel_curve", "synthetic", "ROWS_PER_CHUNK", "MODELS", "REASONS", "T_MIN",
           "BACKGROUND_DEGREE", "PixelFit", "SpectrumModel",
           "fit_rows", "fit_spectrum", "initial_guess", "parameter_names", "spectrum_model", "GridFileError",
           "atomic_write_bytes", "default_channel", "read_3ds", "read_grid", "write_3ds"]
