"""All numba-compiled kernels of the package live in this sub-package.

One file per physical topic (``kernels/bands.py``, ``kernels/btk.py`` ...).
Rules: ``@numba.njit(cache=True)``, single-threaded (no ``parallel=True``:
on the 2-core target machines parallel regions stall), stable signatures,
no validation inside kernels (the public wrappers validate), float64 arrays.
Public code never calls a kernel with unchecked input.
"""
