"""Atomic output files: the one way the CLIs and the library write (private to the package).

Every writer goes through a temporary file in the destination's folder
(``.NAME.XXXX.tmp``), flushed and ``fsync``-ed, then renamed over the
destination with :func:`os.replace` (atomic on POSIX).  On any failure -- a
full disk (``ENOSPC``), a file-size limit (``EFBIG``), a read-only folder, an
exception of the caller or ``KeyboardInterrupt`` -- the temporary is removed
and the old destination, if any, is left as it was.  Nothing existing is
replaced unless ``force`` is the bool ``True``.

* :func:`atomic_write` -- a context manager yielding an open file;
* :func:`atomic_path` -- a context manager yielding the temporary's path, for
  libraries that want a file name (``savefig``, ``to_netcdf``);
* :func:`write_bytes` / :func:`write_text` -- the one-shot forms;
* :class:`Staged` -- several files renamed into place together (JSON + PNG);
* :func:`check_targets` -- before any work: the folder exists and is writable,
  nothing is replaced without ``force``;
* :func:`describe` -- a one-line message for an ``OSError`` of a write.

>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
>>> write_text(p, "one")
>>> write_text(p, "two")
Traceback (most recent call last):
...
FileExistsError: ... exists; pass force=True (--force) to replace it
>>> write_text(p, "two", force=True); open(p).read()
'two'
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from . import _validate as check

__all__ = ["atomic_write", "atomic_path", "write_bytes", "write_text", "Staged", "check_targets", "describe",
           "TMP_SUFFIX", "is_disk_error"]

#: suffix of every temporary file (``.NAME.XXXXXXXX.tmp``)
TMP_SUFFIX = ".tmp"

#: errno values that mean "no room": a full disk, a quota, a file-size limit (``ulimit -f``)
_DISK_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _path(name, value) -> Path:
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or path, got {type(value).__name__}")
    return Path(value)


def _refuse_existing(path: Path, force: bool) -> None:
    if not force and (path.exists() or path.is_symlink()):
        raise FileExistsError(f"{path} exists; pass force=True (--force) to replace it")


def _usual_mode(tmp) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)          # mkstemp makes 0600; give the file the mode open() would


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):      # not every file system lets a folder be opened and synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _new_temp(path: Path) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    return tmp


@contextlib.contextmanager
def atomic_path(path, *, force=False):
    """Yield the path of a temporary file beside ``path``; on success it replaces ``path``.

    The caller writes the temporary (it exists, empty, when the block starts);
    at the end of the block it is fsync-ed and renamed over ``path``.  Any
    exception (``KeyboardInterrupt`` included) removes it and propagates.

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    force : bool
        Replace an existing ``path`` (default False: ``FileExistsError``, raised before the block runs).

    Yields
    ------
    pathlib.Path
        The temporary file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    TypeError
        If ``force`` is not a bool or ``path`` not a path.
    OSError
        If the folder is missing or not writable, or the disk is full.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "b.bin")
    >>> with atomic_path(p) as tmp:
    ...     _ = tmp.write_bytes(b"xy")
    >>> open(p, "rb").read(), [f for f in os.listdir(os.path.dirname(p)) if f.endswith(".tmp")]
    (b'xy', [])
    """
    path = _path("path", path)
    force = check.boolean("force", force)
    _refuse_existing(path, force)
    tmp = _new_temp(path)
    try:
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _usual_mode(tmp)
        _refuse_existing(path, force)       # created meanwhile by someone else: still not replaced
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, tmp, Path(tmp)):
            exc.filename = str(path)        # name the destination, not the temporary that is gone
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_write(path, mode="w", *, force=False, encoding="utf-8"):
    """Yield an open file whose content replaces ``path`` atomically at the end of the block.

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    mode : {"w", "wb"}
        Text (UTF-8 by default) or binary.
    force : bool
        Replace an existing ``path`` (default False: ``FileExistsError``).
    encoding : str
        Encoding in text mode.

    Yields
    ------
    file object
        Flushed and fsync-ed before the rename.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False.
    ValueError
        If ``mode`` is not "w" or "wb".
    OSError
        If the folder is missing or not writable, or the disk is full (the temporary is removed).

    Examples
    --------
    >>> import json, os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "c.json")
    >>> with atomic_write(p) as fh:
    ...     json.dump({"a": 1}, fh)
    >>> json.load(open(p))
    {'a': 1}
    """
    mode = check.choice("mode", mode, ("w", "wb"))
    with atomic_path(path, force=force) as tmp:
        with open(tmp, mode, **({} if mode == "wb" else {"encoding": encoding})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_bytes(path, data, *, force=False) -> None:
    """Write ``data`` (bytes-like) to ``path`` atomically (see :func:`atomic_write`).

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "d.bin")
    >>> write_bytes(p, b"abc"); open(p, "rb").read()
    b'abc'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    with atomic_write(path, "wb", force=force) as fh:
        fh.write(data)


def write_text(path, text, *, force=False, encoding="utf-8") -> None:
    """Write the string ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    with atomic_write(path, "w", force=force, encoding=encoding) as fh:
        fh.write(text)


class Staged:
    """Files staged as temporaries in their folders, then renamed into place together.

    ``stage(path, write, binary)`` writes ``write(fh)`` to a fsync-ed
    temporary beside ``path``; ``commit(remove)`` deletes the stale files
    ``remove`` first, then renames the temporaries in the order staged;
    ``discard()`` deletes the temporaries not renamed (call it in ``finally``).

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> s = Staged()
    >>> s.stage(os.path.join(d, "a.json"), lambda fh: fh.write("{}"))
    >>> s.commit(); s.discard(); sorted(os.listdir(d))
    ['a.json']
    """

    def __init__(self):
        self._staged = []

    def stage(self, path, write, binary=False):
        """Write ``write(fh)`` to a temporary file beside ``path`` (fsync-ed, usual permissions)."""
        path = _path("path", path)
        tmp = _new_temp(path)
        self._staged.append((tmp, path))
        try:
            with open(tmp, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            _usual_mode(tmp)
        except OSError as exc:
            if exc.filename in (None, tmp):
                exc.filename = str(path)
            raise

    def commit(self, remove=()):
        """Remove the stale files ``remove``, then rename every staged file into place."""
        for path in remove:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        while self._staged:
            tmp, path = self._staged[0]
            os.replace(tmp, path)
            self._staged.pop(0)
            _fsync_dir(path.parent)

    def discard(self):
        """Delete the temporaries not renamed."""
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._staged = []


def check_targets(paths, force, *, flag="--out"):
    """Before any work: every folder exists and is writable; nothing exists unless ``force``.

    Writability is probed by creating and removing a temporary file (``os.access``
    is wrong for root and on some mounts).

    Parameters
    ----------
    paths : list of str or Path
        The files a command will write.
    force : bool
        Existing files may be replaced.
    flag : str
        The option named in the messages.

    Raises
    ------
    ValueError
        Naming ``flag``: a missing or read-only folder, or existing files without ``force``.

    Examples
    --------
    >>> import tempfile
    >>> check_targets([tempfile.mkdtemp() + "/x.json"], False)
    """
    force = check.boolean("force", force)
    paths = [_path("paths", p) for p in paths]
    for folder in dict.fromkeys(p.absolute().parent for p in paths):
        if not folder.is_dir():
            raise ValueError(f"{flag}: folder {folder} does not exist")
        try:
            os.unlink(_new_temp(folder / "nickelates-write-test"))
        except OSError as exc:
            raise ValueError(f"{flag}: folder {folder} is not writable ({exc.strerror or exc})") from None
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        raise ValueError(f"{flag}: refusing to replace {', '.join(existing)} (add --force)")


def is_disk_error(exc) -> bool:
    """True if ``exc`` is an ``OSError`` meaning no room (full disk, quota, file-size limit)."""
    return isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS


def describe(exc, path=None) -> str:
    """One line for an ``OSError`` of a write: what failed, why, and that the old file is intact.

    Examples
    --------
    >>> import errno
    >>> describe(OSError(errno.ENOSPC, "No space left on device"), "m.nc")
    'cannot write m.nc: No space left on device (disk full; the earlier file, if any, is unchanged)'
    """
    why = getattr(exc, "strerror", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    kind = {errno.ENOSPC: "disk full", errno.EFBIG: "file-size limit reached"}.get(getattr(exc, "errno", None))
    if kind is None and getattr(exc, "errno", None) == getattr(errno, "EDQUOT", -1):
        kind = "disk quota exceeded"
    target = path if path is not None else getattr(exc, "filename", None) or "the output"
    return (f"cannot write {target}: {why} (" + (f"{kind}; " if kind else "")
            + "the earlier file, if any, is unchanged)")
