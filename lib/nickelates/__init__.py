"""nickelates: compiled solvers for the physics of pairing in bilayer nickelates.

Modules and packages, one per physical topic: ``bands`` (chapter 1),
``couplings``, ``clusters`` and ``symbolic`` (2), ``pairing`` (3), the
package ``btk`` (4), ``tunneling`` (5), ``mixd`` (6), ``mixd_exact`` (7).
Numba kernels are in ``nickelates.kernels``; figures and widgets in
``nickelates.viz``; ``book`` and ``paths`` serve the chapters; ``figures`` is
the registry of reproduced paper figures. Import the topic modules
explicitly::

    from nickelates import bands
"""
#: version of the library (PEP 440)
__version__ = "0.1.0"

from .errors import ConvergenceError

__all__ = ["ConvergenceError", "__version__"]
