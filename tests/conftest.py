"""Shared fixtures and settings of the unit tests.

* ``bands_045``: the paper's v3 band parameters at the filling n_c = 0.45
  used throughout chapters 1-5 (session scope: computed once).
* ``bands_v1_045``: the same for the v1 parameters.
* ``rng``: a seeded ``numpy.random.Generator`` (reproducible noise).
* the ``slow`` marker (declared in ``pyproject.toml``) for tests that take
  more than a few seconds; ``pytest -m 'not slow'`` is the quick loop.
* ``real_files``: the folder of measured third-party instrument files,
  ``../shared/real-files`` beside the repository (``NICKELATES_REAL_FILES``
  overrides). Tests that use it *fail* when the folder is missing and
  ``CI=true`` (CI always has it), and skip otherwise (a reader's clone has
  no ``../shared``). The files are never copied into the repository.
* hypothesis profiles: ``ci`` (default; derandomized, no deadline: numba
  compiles on first call) and ``dev`` (more examples), chosen with
  ``HYPOTHESIS_PROFILE``.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from nickelates import bands as B

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def bands_045() -> B.BandParams:
    """v3 bands (Liu & Khaliullin) with μ set for n_c = 0.45."""
    return B.with_density(B.PAPER_V3, 0.45)


@pytest.fixture(scope="session")
def bands_v1_045() -> B.BandParams:
    """v1 bands with μ set for n_c = 0.45."""
    return B.with_density(B.PAPER_V1, 0.45)


def real_files_dir():
    """The folder of the real instrument files, or None (see the module docstring)."""
    from nickelates import paths
    env = os.environ.get("NICKELATES_REAL_FILES")
    d = Path(env) if env else paths.repo_root().parent / "shared" / "real-files"
    return d if d.is_dir() else None


@pytest.fixture(scope="session")
def real_files() -> Path:
    """Folder of ``../shared/real-files`` (fails under CI=true when missing, else skips)."""
    d = real_files_dir()
    if d is None:
        msg = "../shared/real-files is missing (set NICKELATES_REAL_FILES)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + ": CI must have it")
        pytest.skip(msg)
    return d


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator (seed 2026)."""
    return np.random.default_rng(2026)
