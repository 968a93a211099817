"""nickelates: compiled solvers for the physics of pairing in bilayer nickelates.

Modules (one per physical topic): ``bands`` (chapter 1), ``couplings`` (2),
``pairing`` (3), ``btk`` (4), ``tunneling`` (5), ``mixd`` (6),
``mixd_exact`` (7). Numba kernels are in ``nickelates.kernels``; plotting
and widgets in ``nickelates.viz``. Import the topic modules explicitly::

    from nickelates import bands
"""
__version__ = "0.1.0"

from .errors import ConvergenceError  # noqa: F401
