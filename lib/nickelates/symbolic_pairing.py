"""Old import path of :mod:`nickelates.symbolic.pairing` (kept for existing notebooks)."""
from .symbolic.pairing import *  # noqa: F401,F403
from .symbolic.pairing import __all__  # noqa: F401
