"""Dask worker plugin that loads the numba kernels once per worker (imports distributed)."""
from __future__ import annotations

from distributed import WorkerPlugin


class WarmKernels(WorkerPlugin):
    """Compile / load from the numba cache every gap-map kernel when a worker starts."""

    name = "nickelates-gapmap-warm"

    def setup(self, worker):
        from ..kernels import gapmap as kern
        kern.warm()
