"""Old import path of :mod:`nickelates.symbolic.pairing` (kept for chapter 3 and existing notebooks)."""
from .symbolic.pairing import *  # noqa: F403
from .symbolic.pairing import __all__  # noqa: F401
