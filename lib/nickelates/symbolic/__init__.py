"""Symbolic derivations (SymPy, pymablock) behind the chapters' equations.

* :mod:`nickelates.symbolic.couplings` -- chapter 2: Schrieffer-Wolff couplings
  of the Hubbard dimer and the channel cluster, the triplon representation and
  the triplon-exchange pairing amplitude;
* :mod:`nickelates.symbolic.pairing` -- chapter 3: from the gap equations (14)
  to the closed forms (15)-(18).

The names of :mod:`~nickelates.symbolic.couplings` (functions and SymPy
symbols) are re-exported here, so ``from nickelates import symbolic as S;
S.hubbard_dimer_sw()`` and ``S.t_c`` work; ``nickelates.symbolic_pairing`` is
the old import path of :mod:`~nickelates.symbolic.pairing`.
"""
from . import couplings, pairing
from .couplings import *  # noqa: F403
from .couplings import __all__ as _couplings_all

__all__ = ["couplings", "pairing", *_couplings_all]
