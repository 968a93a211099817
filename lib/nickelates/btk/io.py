"""Reading point-contact and tunnelling spectra (the input of ``python -m nickelates fit-btk``).

The reader lives in the one I/O layer :mod:`nickelates.readers` (formats,
column rules, header temperature and lock-in: see
:mod:`nickelates.readers.text`); this module keeps the old import path
``nickelates.btk.io`` and re-exports its names.

Examples
--------
>>> from nickelates.btk import io
>>> from nickelates import readers
>>> io.read_spectrum is readers.read_spectrum and io.Spectrum is readers.Spectrum
True
"""
from __future__ import annotations

from ..readers.metadata import LockinInfo
from ..readers.text import BIAS_UNITS, DIDV_KINDS, MIN_PLAUSIBLE_MV, Spectrum, SpectrumFileError, read_spectrum

__all__ = ["SpectrumFileError", "Spectrum", "LockinInfo", "read_spectrum", "BIAS_UNITS", "MIN_PLAUSIBLE_MV",
           "DIDV_KINDS"]
