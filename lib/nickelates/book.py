"""What every chapter of the book needs before its first physics cell.

One call replaces the setup cell each chapter used to carry::

    from nickelates import book
    ch = book.setup()            # rcParams, inline figures, timer, data path
    ...
    ch.table(["n_c", "N_α"], rows, ["{:.2f}", "{:.4f}"])   # a Markdown table
    ch.data / "mixd_dmrg.json"                          # committed heavy results
    t, result = book.best_of(lambda: solver(...), n=3)  # a timing
    print(ch.finished())         # "chapter executed in 12.3 s"

Nothing here computes physics.
"""
from __future__ import annotations

import time

import numpy as np
from dataclasses import dataclass, field
from pathlib import Path

from . import _validate as check
from . import paths

__all__ = ["Chapter", "setup", "md_table", "best_of", "RC_PARAMS"]

#: matplotlib defaults of the book's figures
RC_PARAMS = {"figure.dpi": 90, "font.size": 10}


def _escape_cell(text: str) -> str:
    """Escape ``|`` in a table cell (GFM splits cells on unescaped bars, even inside math)."""
    out, prev = [], ""
    for ch in text:
        out.append("\\|" if ch == "|" and prev != "\\" else ch)
        prev = ch
    return "".join(out)


def md_table(header, rows, fmt=None):
    r"""Return a Markdown table as an IPython ``Markdown`` object.

    Parameters
    ----------
    header : sequence of str
        Column titles (Markdown/MyST; a ``|`` inside is escaped).
    rows : iterable of sequences
        One sequence of cells per row, as long as ``header``.
    fmt : sequence of str, optional
        One format string per column (e.g. ``"{:.4f}"``); by default cells are
        converted with ``str``.

    Returns
    -------
    IPython.display.Markdown
        Rendered by the book (``nb_render_markdown_format: myst``).

    Raises
    ------
    TypeError
        If ``header``, ``rows``, a row or ``fmt`` is not a sequence, or an entry of ``fmt`` is not a str.
    ValueError
        If a row or ``fmt`` does not have one entry per column, or a format does not fit its cell.

    Examples
    --------
    >>> print(md_table(["a", "|b|"], [[1, 2.5]], ["{:d}", "{:.1f}"]).data)
    | a | \|b\| |
    |---|---|
    | 1 | 2.5 |
    """
    from IPython.display import Markdown

    def _sequence(name, value, what):
        check.not_missing(name, value, what)
        if not hasattr(value, "__iter__"):
            check._reject_type(name, value, what)
        return list(value)

    header = [str(h) for h in _sequence("header", header, "a sequence of column titles")]
    n = len(header)
    if n == 0:
        raise ValueError("header must name at least one column")
    if fmt is not None:
        fmt = _sequence("fmt", fmt, "a sequence of format strings (one per column) or None")
        for j, f in enumerate(fmt):
            if not isinstance(f, str):
                check._reject_type(f"fmt[{j}]", f, 'a format string such as "{:.3f}"')
        if len(fmt) != n:
            raise ValueError(f"fmt must have one format per column ({n}), got {len(fmt)}")
    lines = ["| " + " | ".join(_escape_cell(h) for h in header) + " |", "|" + "---|" * n]
    for i, row in enumerate(_sequence("rows", rows, "an iterable of rows (sequences of cells)")):
        row = _sequence(f"rows[{i}]", row, "a sequence of cells")
        if len(row) != n:
            raise ValueError(f"rows[{i}] has {len(row)} cells, the header has {n}")
        if fmt is None:
            cells = [str(v) for v in row]
        else:
            cells = []
            for j, (f, v) in enumerate(zip(fmt, row)):
                try:
                    cells.append(f.format(v))
                except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
                    raise ValueError(f"fmt[{j}] = {f!r} cannot format rows[{i}][{j}] = {v!r:.40}: {exc}") from exc
        lines.append("| " + " | ".join(_escape_cell(c) for c in cells) + " |")
    return Markdown("\n".join(lines))


def best_of(fn, n=5):
    """Time ``fn()`` ``n`` times; return the shortest wall time and the last result.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    n : int, optional
        Number of calls, at least 1.

    Returns
    -------
    tuple of (float, object)
        The shortest wall-clock time in seconds and what the last call returned.

    Raises
    ------
    TypeError
        If ``fn`` is not callable or ``n`` is not an integer.
    ValueError
        If ``n < 1``.

    Examples
    --------
    >>> t, out = best_of(lambda: sum(range(10)), n=3)
    >>> out, t >= 0
    (45, True)
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    n = check.iterations("n", n, hi=10**6)
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


@dataclass
class Chapter:
    """The state a chapter keeps from its setup cell.

    Attributes
    ----------
    root : pathlib.Path
        Repository root.
    data : pathlib.Path
        Folder of the committed heavy results (``paths.data_dir()``).
    t0 : float
        ``time.perf_counter()`` at setup.
    glued : dict
        The values stored by :meth:`glue`, by name.

    Examples
    --------
    >>> ch = Chapter(root=paths.repo_root(), data=paths.data_dir())
    >>> ch.elapsed() >= 0
    True
    """

    root: Path
    data: Path
    t0: float = field(default_factory=time.perf_counter)
    glued: dict = field(default_factory=dict)

    def elapsed(self) -> float:
        """Return the seconds since :func:`setup`.

        Returns
        -------
        float
            Wall-clock seconds.

        Examples
        --------
        >>> setup(inline=False).elapsed() >= 0
        True
        """
        return time.perf_counter() - self.t0

    def finished(self) -> str:
        """Return the line every chapter prints last.

        Returns
        -------
        str
            ``"chapter executed in X s"``.

        Examples
        --------
        >>> setup(inline=False).finished().startswith("chapter executed in")
        True
        """
        return f"chapter executed in {self.elapsed():.1f} s"

    def glue(self, name: str, value, fmt: str | None = None):
        """Store a computed number for the prose, and return it.

        In the chapter's Markdown, ``{glue:text}`name:.3f``` then prints the
        value (``myst_nb.glue`` with ``display=False``), so that the text never
        types a number the code computes.  Outside a notebook the value is
        only recorded in :attr:`glued`.

        Parameters
        ----------
        name : str
            Key, a Python identifier (letters, digits, underscores).
        value : float, int or str
            The value; NumPy scalars are converted to Python numbers.
        fmt : str, optional
            Format spec used to store a *string* instead of the number
            (e.g. ``".1f"``); then use plain ``{glue:text}`name```.

        Returns
        -------
        object
            ``value`` (converted), so that ``x = ch.glue("x", compute())`` works.

        Raises
        ------
        TypeError
            If ``name`` is not a string or ``value`` not a number or string.
        ValueError
            If ``name`` is not an identifier, or ``value`` is not finite.

        Examples
        --------
        >>> ch = setup(inline=False)
        >>> ch.glue("tc_kelvin", 650.04, ".0f")
        '650'
        >>> ch.glued["tc_kelvin"]
        '650'
        """
        import math
        import numbers

        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        if not name.isidentifier():
            raise ValueError(f"name must be an identifier (letters, digits, _), got {name!r}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Number, str)):
            raise TypeError(f"value must be a number or str, got {type(value).__name__}")
        if isinstance(value, numbers.Number):
            value = value.item() if hasattr(value, "item") else value
            if isinstance(value, complex) or not math.isfinite(value):
                raise ValueError(f"value must be a finite real number, got {value!r}")
        if fmt is not None:
            if not isinstance(fmt, str):
                raise TypeError(f"fmt must be a str, got {type(fmt).__name__}")
            value = format(value, fmt)
        self.glued[name] = value
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:
            from myst_nb import glue

            glue(name, value, display=False)
        return value

    def table(self, header, rows, fmt=None):
        """Return :func:`md_table` ``(header, rows, fmt)``.

        Parameters
        ----------
        header, rows, fmt
            As for :func:`md_table`.

        Returns
        -------
        IPython.display.Markdown
            The table.

        Examples
        --------
        >>> setup(inline=False).table(["x"], [[1]]).data.splitlines()[-1]
        '| 1 |'
        """
        return md_table(header, rows, fmt)


def _first_code_line(source: str) -> str:
    """The first line of a cell that is neither blank, a comment nor a magic."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "%")):
            return line if len(line) <= 80 else line[:77] + "..."
    return ""


def _assert_handler(shell, etype, value, tb, tb_offset=None):
    """IPython handler: a failing assert names its chapter (when known) and its cell."""
    import os

    source = (shell.user_ns.get("In") or [""])[-1]
    where = os.environ.get("NICKELATES_CHAPTER") or shell.user_ns.get("__session__") or ""
    where = f"chapter {Path(where).name}, " if where else ""
    count = "?"  # the execution count IPython shows as In [n]: from the cell's compiled name
    names = getattr(getattr(shell, "compile", None), "_filename_map", {})
    frame = tb
    while frame is not None:  # the innermost frame that is a notebook cell
        count = names.get(frame.tb_frame.f_code.co_filename, count)
        frame = frame.tb_next
    header = (f"AssertionError in {where}cell In [{count}] "
              f"(first line: {_first_code_line(source)!r})")
    stb = [header, *shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)]
    shell._showtraceback(etype, value, stb)  # a custom handler displays its own traceback
    return stb


def _name_failing_asserts():
    """Under IPython, make a failing assert say which cell (and chapter) it is in.

    The chapter is the ``NICKELATES_CHAPTER`` environment variable (set by the
    course export and the determinism check) or the notebook path JupyterLab
    gives the kernel; the cell is its execution count and first code line.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is not None and hasattr(ip, "set_custom_exc"):
        ip.set_custom_exc((AssertionError,), _assert_handler)


def setup(*, font_size=10, inline=True) -> Chapter:
    """Prepare a chapter: matplotlib defaults, inline figures, timer, data path.

    Parameters
    ----------
    font_size : float, optional
        matplotlib ``font.size`` in points (the book uses 10; 9 for dense figures).
    inline : bool, optional
        Under IPython, switch to the inline backend (figures show even when
        ``MPLBACKEND=Agg`` is exported).  Ignored outside IPython.

    Returns
    -------
    Chapter
        Holds ``root``, ``data``, the start time and the table helper.

    Raises
    ------
    ValueError
        If ``font_size`` is not a positive number below 100.

    Examples
    --------
    >>> ch = setup(inline=False)
    >>> ch.data.name
    'data'
    """
    import matplotlib.pyplot as plt

    font_size = check.positive("font_size", font_size, hi=100.0)
    inline = check.boolean("inline", inline)
    if inline:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            get_ipython = None
        ip = get_ipython() if get_ipython else None
        if ip is not None:
            ip.run_line_magic("matplotlib", "inline")
    _name_failing_asserts()
    plt.rcParams.update({**RC_PARAMS, "font.size": font_size})
    return Chapter(root=paths.repo_root(), data=paths.data_dir())
