"""Course notebooks from the book's chapters: student (no solutions) and instructor (executed).

Each chapter ``book/NN-slug.md`` is a MyST-Markdown notebook. Its exercises are
``{exercise}`` directives, each followed by a ``{solution}`` directive (prose) or by
a gated ``{solution-start}`` ... ``{solution-end}`` pair enclosing code cells (a
solution that computes its answer). :func:`export_course` writes

* ``OUT/student/NN-slug.ipynb``: every solution removed (prose and code cells), an
  empty answer cell after each exercise, all outputs cleared;
* ``OUT/instructor/NN-slug.ipynb``: the solutions kept (as plain Markdown and code),
  executed top to bottom (outputs saved);
* ``OUT/README.md``: the index (chapters, number of exercises, both notebooks).

The prose's glue roles (computed numbers) become the values in the executed
instructor notebooks and ``[computed: name]`` in the student ones (:func:`fill_glue`).
In both, the exercise and solution directives become plain Markdown headed
"Exercise N.k" (N the chapter number, k the exercise's number in the chapter, as
in the HTML book), so that they read well in any Jupyter front end. Files are
written atomically (a temporary file renamed into place).
"""
from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import _atomic
from . import _validate as check
from . import paths

__all__ = ["ChapterExport", "CourseExport", "ChapterExecutionError", "chapter_files", "split_exercises",
           "student_notebook", "instructor_notebook", "export_course", "fill_glue"]

_FENCE = r"(?P<fence>`{3,}|:{3,})"
_EXERCISE = re.compile(_FENCE + r"\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                       re.S | re.M)
_SOLUTION = re.compile(_FENCE + r"\{solution\}[ \t]*(?P<label>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                       re.S | re.M)
_SOL_START = re.compile(_FENCE + r"\{solution-start\}[ \t]*(?P<label>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                        re.S | re.M)
_SOL_END = re.compile(_FENCE + r"\{solution-end\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
_OPTION = re.compile(r"^:(\w[\w-]*):[ \t]*(.*)$", re.M)
#: one directive of the exercise kind, in order of appearance in a cell
_ANY = re.compile("|".join(f"(?P<{k}>{r.pattern.replace('(?P<fence>', f'(?P<f_{k}>').replace('(?P=fence)', f'(?P=f_{k})')})"
                           .replace("(?P<title>", f"(?P<title_{k}>").replace("(?P<body>", f"(?P<body_{k}>")
                           .replace("(?P<label>", f"(?P<label_{k}>")
                           for k, r in (("ex", _EXERCISE), ("sol", _SOLUTION), ("start", _SOL_START),
                                        ("end", _SOL_END))), re.S | re.M)


class ChapterExecutionError(RuntimeError):
    """A cell of a chapter failed while its instructor notebook was executed.

    The message names the chapter file, the cell (its index among the
    notebook's cells, counted from 0, and its first source line) and the error,
    so that a bare ``AssertionError`` says where it came from.

    Parameters
    ----------
    chapter : str or pathlib.Path
        The chapter file ``NN-slug.md``.
    cell : int or None
        Index of the failing cell in the notebook (None if it is not known, e.g. a dead kernel).
    line : str
        First source line of that cell.
    error : str
        ``"ExceptionType: message"`` of the error raised in the cell.

    Examples
    --------
    >>> err = ChapterExecutionError("book/08-eliashberg.md", 41, "assert t_tc < 1.0", "AssertionError: ")
    >>> print(err)
    book/08-eliashberg.md: cell 41 (first line 'assert t_tc < 1.0') failed: AssertionError
    """

    def __init__(self, chapter, cell, line, error):
        self.chapter, self.cell, self.line, self.error = str(chapter), cell, str(line), str(error)
        where = f"cell {cell} (first line {self.line!r})" if cell is not None else "a cell"
        super().__init__(f"{self.chapter}: {where} failed: {self.error.rstrip(': ')}")


@dataclass(frozen=True)
class ChapterExport:
    """What :func:`export_course` wrote for one chapter.

    Attributes
    ----------
    chapter : str
        Chapter file name (``NN-slug.md``).
    number : int
        Chapter number (the ``NN`` prefix).
    title : str
        Chapter title (its first ``#`` heading).
    exercises : int
        Number of exercises.
    student : pathlib.Path
        The student notebook written.
    instructor : pathlib.Path
        The instructor notebook written.

    Examples
    --------
    >>> from pathlib import Path
    >>> ChapterExport("01-bands.md", 1, "Bands", 4, Path("s.ipynb"), Path("i.ipynb")).exercises
    4
    """

    chapter: str
    number: int
    title: str
    exercises: int
    student: Path
    instructor: Path


@dataclass(frozen=True)
class CourseExport:
    """The result of :func:`export_course`.

    Attributes
    ----------
    out : pathlib.Path
        The output folder.
    chapters : tuple of ChapterExport
        One entry per chapter, in book order.
    index : pathlib.Path
        ``OUT/README.md``.

    Examples
    --------
    >>> from pathlib import Path
    >>> CourseExport(Path("course")).chapters
    ()
    """

    out: Path
    chapters: tuple = field(default_factory=tuple)
    index: Path | None = None


def chapter_files(book_dir=None) -> list[Path]:
    """Return the chapters of the book (``NN-slug.md``), in order.

    Parameters
    ----------
    book_dir : str or pathlib.Path, optional
        Folder of the chapters (default: ``book/`` of the repository).

    Returns
    -------
    list of pathlib.Path
        The chapter files, sorted by their number.

    Raises
    ------
    ValueError
        If ``book_dir`` is not a folder or holds no chapter.

    Examples
    --------
    >>> [p.name for p in chapter_files()][:2]
    ['01-bands.md', '02-couplings.md']
    """
    folder = Path(book_dir) if book_dir is not None else paths.repo_root() / "book"
    if not folder.is_dir():
        raise ValueError(f"book_dir must be a folder, got {str(folder)!r}")
    files = sorted(folder.glob("[0-9][0-9]-*.md"))
    if not files:
        raise ValueError(f"book_dir {str(folder)!r} holds no chapter (NN-slug.md)")
    return files


def _number(path: Path) -> int:
    return int(path.name[:2])


def _read(path: Path):
    import jupytext

    return jupytext.read(path)


def _title(nb) -> str:
    for c in nb.cells:
        if c.cell_type == "markdown":
            m = re.search(r"^# (.+)$", c.source, re.M)
            if m:
                return m.group(1).strip()
    return ""


def _plain(body: str) -> str:
    """A directive's body without its ``:option:`` lines."""
    lines = body.split("\n")
    while lines and _OPTION.match(lines[0]):
        lines.pop(0)
    return "\n".join(lines).strip()


#: ``{glue:text}`name:fmt``` / ``{glue}`name``` roles of the book's prose (myst_nb glue)
_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`(?P<name>[A-Za-z_]\w*)(?::(?P<fmt>[^`]*))?`")
_GLUE_PREFIX = "application/papermill.record/"


def _glued_values(nb) -> dict:
    """The ``text/plain`` of every ``myst_nb.glue(..., display=False)`` output of an executed notebook."""
    values = {}
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            data = o.get("data", {})
            text = data.get(_GLUE_PREFIX + "text/plain", data.get("text/plain"))
            if name and text is not None:
                values[name] = text
    return values


def fill_glue(nb, values=None):
    """Replace the glue roles of the Markdown cells by their values (or a placeholder).

    The book's prose quotes computed numbers as ``{glue:text}`name:fmt```,
    which only the book build renders.  In a plain Jupyter front end the
    role would show as raw text, so the exported notebooks carry the
    formatted value (executed notebooks) or ``[computed: name]`` (notebooks
    not executed yet).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook; changed in place.
    values : dict, optional
        ``name -> text/plain`` (default: read from the notebook's glue outputs).

    Returns
    -------
    nbformat.NotebookNode
        ``nb``.

    Raises
    ------
    TypeError
        If ``nb`` is not a notebook or ``values`` not a dict.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "T_c = {glue:text}`tc:.0f` K, ratio {glue:text}`r`.")])
    >>> fill_glue(nb, {"tc": "650.4"}).cells[0].source
    'T_c = 650 K, ratio [computed: r].'
    """
    import nbformat
    from myst_nb.core.variables import format_plain_text

    check.instance("nb", nb, nbformat.NotebookNode, "a notebook (nbformat.NotebookNode)")
    if values is not None:
        check.instance("values", values, dict, "a dict name -> text")
    values = _glued_values(nb) if values is None else values

    def sub(m):
        name, fmt = m.group("name"), m.group("fmt") or ""
        if name not in values:
            return f"[computed: {name}]"
        return format_plain_text(values[name], fmt)

    for c in nb.cells:
        if c.cell_type == "markdown":
            c.source = _GLUE_ROLE.sub(sub, c.source)
    return nb


def split_exercises(nb, chapter: int) -> dict:
    r"""Find the exercises and solutions of a chapter notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The chapter as read by jupytext.
    chapter : int
        Chapter number (for the "Exercise N.k" headings), 1-99.

    Returns
    -------
    dict
        ``"exercises"``: list of (label, title); ``"solutions"``: list of the solutions'
        text (prose, and the source of every code cell inside a gated solution).

    Raises
    ------
    TypeError
        If ``nb`` is not a notebook.
    ValueError
        If ``chapter`` is outside [1, 99] or a ``{solution-start}`` has no ``{solution-end}``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "```{exercise} Sum\n:label: ex-a\nAdd 1 + 1.\n```\n\n```{solution} ex-a\n:class: dropdown\n2.\n```")])
    >>> split_exercises(nb, 3)["exercises"]
    [('ex-a', 'Sum')]
    """
    import nbformat

    check.instance("nb", nb, nbformat.NotebookNode, "a notebook (nbformat.NotebookNode)")
    _check_chapter(chapter)
    exercises, solutions, inside = [], [], False
    for c in nb.cells:
        if inside and c.cell_type == "code":
            solutions.append(c.source)
        if c.cell_type != "markdown":
            continue
        for m in _ANY.finditer(c.source):
            if m.group("ex"):
                body = m.group("body_ex")
                lab = dict(_OPTION.findall(body)).get("label", "")
                exercises.append((lab, m.group("title_ex").strip()))
            elif m.group("sol"):
                solutions.append(_plain(m.group("body_sol")))
            elif m.group("start"):
                inside = True
                solutions.append(_plain(m.group("body_start")))
            elif m.group("end"):
                inside = False
    if inside:
        raise ValueError("a {solution-start} has no {solution-end}")
    return {"exercises": exercises, "solutions": [s for s in solutions if s.strip()]}


def _check_chapter(chapter):
    return check.integer("chapter", chapter, 1, 99)


def _transform(nb, chapter: int, *, keep_solutions: bool):
    """Plain-Markdown exercises; solutions kept (instructor) or replaced by answer cells (student)."""
    import nbformat

    labels = {}
    out, inside = [], False
    k = 0
    for c in nb.cells:
        if c.cell_type != "markdown":
            if inside and not keep_solutions:
                continue
            c = copy.deepcopy(c)
            if c.cell_type == "code":
                c.outputs, c.execution_count = [], None
            out.append(c)
            continue
        text, pieces, pos, answer_after = c.source, [], 0, []
        for m in _ANY.finditer(text):
            before = text[pos:m.start()]
            if not (inside and not keep_solutions):
                pieces.append(before)
            pos = m.end()
            if m.group("ex"):
                k += 1
                body = m.group("body_ex")
                lab = dict(_OPTION.findall(body)).get("label", "")
                labels[lab] = k
                title = m.group("title_ex").strip()
                pieces.append("<!-- split -->")
                pieces.append(f"**Exercise {chapter}.{k}**" + (f" ({title})" if title else "") + "\n\n"
                              + _plain(body))
                if not keep_solutions:
                    pieces.append("\n\n<!-- answer below -->")
                    answer_after.append(k)
            elif m.group("sol") or m.group("start"):
                kind = "sol" if m.group("sol") else "start"
                lab = m.group(f"label_{kind}").strip()
                if keep_solutions:
                    n = labels.get(lab, k)
                    pieces.append("<!-- split -->")
                    pieces.append(f"**Solution {chapter}.{n}**\n\n" + _plain(m.group(f"body_{kind}")))
                inside = kind == "start"
            elif m.group("end"):
                inside = False
        rest = text[pos:]
        if not (inside and not keep_solutions):
            pieces.append(rest)
        source = re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip()
        # split the cell after each exercise so that an answer cell can follow it
        answers = iter(answer_after)
        for part in re.split(r"(<!-- answer below -->|<!-- split -->)", source):
            if part == "<!-- answer below -->":
                out.append(nbformat.v4.new_code_cell(f"# Exercise {chapter}.{next(answers)}: your answer\n"))
            elif part.strip() and part != "<!-- split -->":
                cell = copy.deepcopy(c)
                cell.source = part.strip()
                cell.pop("id", None)
                out.append(cell)
    new = copy.deepcopy(nb)
    new.cells = out
    for i, cell in enumerate(new.cells):
        cell["id"] = f"c{chapter:02d}-{i:03d}"
    new.metadata.pop("jupytext", None)
    new.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    new.nbformat, new.nbformat_minor = 4, 5
    return new


def student_notebook(path):
    """Return the student notebook of one chapter: no solutions, answer cells, no outputs.

    Parameters
    ----------
    path : str or pathlib.Path
        The chapter file ``NN-slug.md``.

    Returns
    -------
    nbformat.NotebookNode
        The notebook (not executed).

    Raises
    ------
    ValueError
        If ``path`` is not a chapter file ``NN-slug.md``.

    Examples
    --------
    >>> nb = student_notebook(chapter_files()[0])
    >>> any("{solution" in c.source for c in nb.cells)
    False
    """
    path = _chapter_path(path)
    return fill_glue(_transform(_read(path), _number(path), keep_solutions=False), {})


def instructor_notebook(path, *, execute: bool = True, timeout: float = 900.0):
    """Return the instructor notebook of one chapter: solutions kept, optionally executed.

    Parameters
    ----------
    path : str or pathlib.Path
        The chapter file ``NN-slug.md``.
    execute : bool
        Run every cell (in the chapter's folder) and keep the outputs.
    timeout : float
        Seconds allowed per cell, in (0, 86400].

    Returns
    -------
    nbformat.NotebookNode
        The notebook.

    Raises
    ------
    TypeError
        If ``execute`` is not a bool or ``timeout`` not a number.
    ValueError
        If ``path`` is not a chapter file or ``timeout`` is out of range.
    ChapterExecutionError
        If a cell fails (or the kernel dies): the message names the chapter, the cell
        (index and first source line) and the error.

    Examples
    --------
    >>> nb = instructor_notebook(chapter_files()[0], execute=False)
    >>> any(c.source.startswith("**Solution 1.1**") for c in nb.cells)
    True
    """
    path = _chapter_path(path)
    execute = check.boolean("execute", execute)
    timeout = _timeout(timeout)
    nb = _transform(_read(path), _number(path), keep_solutions=True)
    if execute:
        from nbclient import NotebookClient

        env_backend = os.environ.pop("MPLBACKEND", None)  # inline figures in the saved outputs
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except Exception as exc:  # CellExecutionError, a timeout, a dead kernel: say where
            raise _where(path, nb, exc) from exc
        finally:
            if env_backend is not None:
                os.environ["MPLBACKEND"] = env_backend
    return fill_glue(nb)


def _where(path, nb, exc) -> ChapterExecutionError:
    """The failing cell of an executed notebook: the first code cell with an error output."""
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                text = path.read_text(encoding="utf-8")
                at = text.find(cell.source) if cell.source.strip() else -1
                where = f" at line {text.count(chr(10), 0, at) + 1} of the file" if at >= 0 else ""
                return ChapterExecutionError(path, k, first[:120],
                                             f"{out.get('ename', '')}: {out.get('evalue', '')}".rstrip(": ") + where)
    cell = getattr(exc, "cell", None)              # nbclient's CellTimeoutError / DeadKernelError keep no output
    if cell is not None and cell in nb.cells:
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        return ChapterExecutionError(path, nb.cells.index(cell), first[:120], f"{type(exc).__name__}: "
                                     f"{str(exc).splitlines()[0] if str(exc) else ''}")
    return ChapterExecutionError(path, None, "", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def _timeout(timeout) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a real number of seconds, got {type(timeout).__name__}")
    if not 0 < timeout <= 86400:
        raise ValueError(f"timeout must be in (0, 86400] s, got {timeout}")
    return float(timeout)


def _chapter_path(path) -> Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path, got {type(path).__name__}")
    path = Path(path)
    if not re.fullmatch(r"\d\d-[\w-]+\.md", path.name) or not path.is_file():
        raise ValueError(f"path must be an existing chapter file NN-slug.md, got {str(path)!r}")
    return path


def _write_atomic(path: Path, text: str, force: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic.write_text(path, text, force=force)


def _index(out: Path, chapters: list[ChapterExport]) -> str:
    rows = "\n".join(f"| {c.number} | {c.title} | {c.exercises} | [{c.student.name}](student/{c.student.name}) "
                     f"| [{c.instructor.name}](instructor/{c.instructor.name}) |" for c in chapters)
    return ("# Course notebooks of the nickelates book\n\n"
            "Generated by `python -m nickelates course`. `student/` has the chapters with every\n"
            "solution removed, an empty answer cell after each exercise and no outputs; `instructor/`\n"
            "has the solutions and the outputs of a full run. Exercises are numbered per chapter\n"
            "(Exercise 3.2 is the second exercise of chapter 3), as in the HTML book. The notebooks\n"
            "import the `nickelates` library: run them in the book's environment (`make lab`).\n\n"
            "| chapter | title | exercises | student | instructor |\n|---|---|---|---|---|\n" + rows + "\n")


def export_course(out, *, chapters=None, execute: bool = True, force: bool = False,
                  timeout: float = 900.0, progress=None) -> CourseExport:
    """Write the student and instructor notebooks of the chapters, and an index.

    Parameters
    ----------
    out : str or pathlib.Path
        Output folder (created); gets ``student/``, ``instructor/`` and ``README.md``.
    chapters : list of str or pathlib.Path, optional
        Chapter files (default: every chapter of the book, :func:`chapter_files`).
    execute : bool
        Execute the instructor notebooks (``False``: solutions kept, no outputs).
    force : bool
        Replace notebooks that exist already (otherwise they are an error).
    timeout : float
        Seconds allowed per cell when executing, in (0, 86400].
    progress : callable, optional
        Called with a message before each chapter.

    Returns
    -------
    CourseExport
        The files written.

    Raises
    ------
    FileExistsError
        If a target notebook or ``OUT/README.md`` exists and ``force`` is false (nothing is
        written then).
    TypeError
        If ``execute`` or ``force`` is not a bool.
    ValueError
        If a chapter path is not a chapter file, ``timeout`` is out of range or ``out``
        cannot be written (checked before any chapter is executed).
    ChapterExecutionError
        If a cell of a chapter fails (the message names the chapter and the cell);
        the chapters before it are written.
    OSError
        If a notebook cannot be written (full disk): no temporary file is left, an
        earlier file of the same name is unchanged.

    Examples
    --------
    >>> import tempfile
    >>> res = export_course(tempfile.mkdtemp(), chapters=chapter_files()[:1], execute=False)
    >>> [c.student.name for c in res.chapters], res.index.name
    (['01-bands.ipynb'], 'README.md')
    """
    import nbformat

    if isinstance(out, bool) or not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a str or path, got {type(out).__name__}")
    out = Path(out)
    files = [_chapter_path(p) for p in (chapter_files() if chapters is None else chapters)]
    if not files:
        raise ValueError("chapters must name at least one chapter file")
    _timeout(timeout)
    targets = [(out / "student" / f"{p.stem}.ipynb", out / "instructor" / f"{p.stem}.ipynb") for p in files]
    execute = check.boolean("execute", execute)
    force = check.boolean("force", force)
    existing = [str(t) for pair in targets for t in pair if t.exists()]
    if (out / "README.md").exists():
        existing.append(str(out / "README.md"))
    if existing and not force:
        raise FileExistsError(f"{len(existing)} file(s) exist already (e.g. {existing[0]}); "
                              "pass force=True (--force) to replace them")
    try:                                     # a read-only folder is refused before hours of execution
        for d in (out / "student", out / "instructor", out):
            d.mkdir(parents=True, exist_ok=True)
            os.unlink(_atomic._new_temp(d / "write-test"))
    except OSError as exc:
        raise ValueError(f"out: folder {out} cannot be written ({exc.strerror or exc})") from None
    done = []
    for p, (s_path, i_path) in zip(files, targets):
        if progress is not None:
            progress(f"{p.name}: student notebook, instructor notebook{' (executing)' if execute else ''}")
        nb = _read(p)
        n = _number(p)
        n_ex = len(split_exercises(nb, n)["exercises"])
        student = fill_glue(_transform(nb, n, keep_solutions=False), {})
        instructor = instructor_notebook(p, execute=execute, timeout=timeout)
        _write_atomic(s_path, nbformat.writes(student), force)
        _write_atomic(i_path, nbformat.writes(instructor), force)
        done.append(ChapterExport(p.name, n, _title(nb), n_ex, s_path, i_path))
    index = out / "README.md"
    _write_atomic(index, _index(out, done), force)
    return CourseExport(out, tuple(done), index)
