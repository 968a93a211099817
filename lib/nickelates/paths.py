"""Where the repository and its data files are (one place for the whole project).

The package is installed editable from ``lib/``, so the repository root is two
folders above this file.  Heavy results written by ``scripts/`` live in
``data/`` at the root; set the environment variable ``NICKELATES_DATA`` to read
them from elsewhere (e.g. an installed copy of the package).

>>> from nickelates import paths
>>> paths.data_file("mixd_dmrg.json").name
'mixd_dmrg.json'
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "repo_root", "data_dir", "data_file"]

#: repository root (the folder holding ``lib/``, ``book/`` and ``data/``)
ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """Return the repository root.

    Returns
    -------
    pathlib.Path
        The folder that holds ``lib/``, ``book/``, ``data/`` and ``scripts/``.

    Examples
    --------
    >>> (repo_root() / "lib" / "nickelates").is_dir()
    True
    """
    return ROOT


def data_dir() -> Path:
    """Return the folder of the committed heavy results.

    Returns
    -------
    pathlib.Path
        ``$NICKELATES_DATA`` if set, else ``<repository root>/data``.

    Examples
    --------
    >>> data_dir().name
    'data'
    """
    env = os.environ.get("NICKELATES_DATA")
    return Path(env).expanduser().resolve() if env else ROOT / "data"


def data_file(name: str) -> Path:
    """Return the path of one data file (it need not exist yet).

    Parameters
    ----------
    name : str
        File name inside the data folder, e.g. ``"mixd_dmrg.json"``; no ``..``.

    Returns
    -------
    pathlib.Path
        ``data_dir() / name``.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is empty, absolute or leaves the data folder.

    Examples
    --------
    >>> data_file("btk_sample_spectrum.csv").parent == data_dir()
    True
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"name must be a file name (str), got {type(name).__name__}")
    rel = Path(name)
    if not str(name) or rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"name must be a relative file name inside the data folder, got {name!r}")
    return data_dir() / rel
