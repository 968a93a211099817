"""Course export (`python -m nickelates course`): student notebooks without solutions, instructor ones run."""
from __future__ import annotations

import os
import re

import nbformat
import pytest

from nickelates import cli_course, course

CHAPTERS = course.chapter_files()


def _lines(text: str) -> list[str]:
    """Distinctive lines of a solution (long enough not to occur by chance elsewhere)."""
    return [l.strip() for l in text.splitlines() if len(l.strip()) >= 25]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_has_no_solution_text(path):
    import jupytext

    found = course.split_exercises(jupytext.read(path), int(path.name[:2]))
    assert found["exercises"], f"{path.name} has no exercise"
    assert len(found["solutions"]) >= len(found["exercises"])
    nb = course.student_notebook(path)
    text = "\n".join(c.source for c in nb.cells)
    assert "{solution" not in text and "{exercise" not in text
    # lines that the chapter also has outside its solutions (a solution may repeat a setup line)
    raw = path.read_text(encoding="utf-8")
    outside = re.sub(r"^(`{3,}|:{3,})\{solution-start\}.*?^(`{3,}|:{3,})\{solution-end\}[^\n]*\n.*?^\2[ \t]*$", "",
                     raw, flags=re.S | re.M)
    outside = re.sub(r"^(`{3,}|:{3,})\{solution\}.*?^\1[ \t]*$", "", outside, flags=re.S | re.M)
    assert "{solution" not in outside
    leaked = [l for s in found["solutions"] for l in _lines(s) if l in text and l not in outside]
    assert not leaked, leaked[:3]
    # one empty answer cell right after each exercise, numbered per chapter
    n = int(path.name[:2])
    for k in range(1, len(found["exercises"]) + 1):
        i = next(i for i, c in enumerate(nb.cells) if c.source.startswith(f"**Exercise {n}.{k}**"))
        assert nb.cells[i + 1].cell_type == "code"
        assert nb.cells[i + 1].source.strip() == f"# Exercise {n}.{k}: your answer"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    nbformat.validate(nb)


def test_instructor_notebook_keeps_solutions_unexecuted():
    nb = course.instructor_notebook(CHAPTERS[0], execute=False)
    text = "\n".join(c.source for c in nb.cells)
    assert "**Solution 1.1**" in text and "**Exercise 1.4**" in text
    assert "{solution" not in text
    nbformat.validate(nb)


@pytest.mark.slow
def test_cli_exports_and_executes_one_chapter(tmp_path):
    """Chapter 1 (the quickest) end to end; the instructor notebook runs without an error."""
    out = tmp_path / "course"
    p = cli_course.parser()
    assert cli_course.run(p.parse_args(["--out", str(out), "--only", "01"])) == 0
    stu = nbformat.read(out / "student" / "01-bands.ipynb", 4)
    ins = nbformat.read(out / "instructor" / "01-bands.ipynb", 4)
    code = [c for c in ins.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any(o.get("data", {}).get("image/png") for c in code for o in c.outputs)  # figures kept
    assert all(not c.outputs for c in stu.cells if c.cell_type == "code")
    index = (out / "README.md").read_text()
    assert "student/01-bands.ipynb" in index and "instructor/01-bands.ipynb" in index
    assert not [f for f in out.rglob(".*") if f.is_file()]  # no temporary files left


def test_cli_refuses_to_overwrite_without_force(tmp_path, capsys):
    p = cli_course.parser()
    args = ["--out", str(tmp_path), "--only", "1", "--no-execute"]
    assert cli_course.run(p.parse_args(args)) == 0
    before = (tmp_path / "student" / "01-bands.ipynb").read_bytes()
    assert cli_course.run(p.parse_args(args)) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "student" / "01-bands.ipynb").read_bytes() == before
    assert cli_course.run(p.parse_args(args + ["--force"])) == 0


def test_existing_readme_is_not_replaced_without_force(tmp_path, capsys):
    """Issue 25: a README.md already in the output folder is kept (exit 2) unless --force."""
    (tmp_path / "README.md").write_text("my own notes")
    p = cli_course.parser()
    args = ["--out", str(tmp_path), "--only", "1", "--no-execute"]
    assert cli_course.run(p.parse_args(args)) == 2
    assert "README.md" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "my own notes"
    assert not (tmp_path / "student").exists()
    assert cli_course.run(p.parse_args(args + ["--force"])) == 0
    assert "student/01-bands.ipynb" in (tmp_path / "README.md").read_text()


@pytest.mark.parametrize("value", ["False", float("nan"), 0.5, 1, None])
def test_force_and_execute_must_be_bools(tmp_path, value):
    with pytest.raises(TypeError, match="force"):
        course.export_course(tmp_path, chapters=CHAPTERS[:1], execute=False, force=value)
    with pytest.raises(TypeError, match="execute"):
        course.export_course(tmp_path, chapters=CHAPTERS[:1], execute=value)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args, flag", [(["--only", "99"], "--only"), (["--timeout", "0"], "--timeout")])
def test_cli_bad_options_exit_2(tmp_path, capsys, args, flag):
    p = cli_course.parser()
    assert cli_course.run(p.parse_args(["--out", str(tmp_path), "--no-execute", *args])) == 2
    assert flag in capsys.readouterr().err
    assert not (tmp_path / "student").exists()


def test_bad_arguments():
    with pytest.raises(ValueError, match="chapter"):
        course.student_notebook(CHAPTERS[0].parent / "intro.md")
    with pytest.raises(TypeError, match="path"):
        course.student_notebook(3)
    with pytest.raises(ValueError, match="timeout"):
        course.export_course("/tmp/x", chapters=CHAPTERS[:1], timeout=-1)
    with pytest.raises(ValueError, match="book_dir"):
        course.chapter_files("/nonexistent")


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("COURSE_FULL") != "1", reason="full course run (minutes): COURSE_FULL=1")
def test_full_course_executes(tmp_path):
    res = course.export_course(tmp_path, force=True)
    assert len(res.chapters) == len(CHAPTERS)
    for c in res.chapters:
        nb = nbformat.read(c.instructor, 4)
        assert not [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
                    if o.output_type == "error"], c.chapter
    assert re.search(r"\| 7 \|", res.index.read_text())


def test_fill_glue_from_executed_outputs():
    import nbformat

    from nickelates.course import fill_glue

    code = nbformat.v4.new_code_cell("")
    code.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.28412"},
        metadata={"scrapbook": {"name": "n_a", "mime_prefix": "application/papermill.record/"}})]
    md = nbformat.v4.new_markdown_cell("weights {glue:text}`n_a:.3f` and {glue:text}`n_b:.3f`; {glue}`n_a`")
    nb = fill_glue(nbformat.v4.new_notebook(cells=[code, md]))
    assert nb.cells[1].source == "weights 0.284 and [computed: n_b]; 0.28412"


def test_fill_glue_checks_its_arguments():
    """Issue 25: a dict for the notebook is a TypeError naming it, not an AttributeError."""
    with pytest.raises(TypeError, match="nb must be a notebook"):
        course.fill_glue({}, {})
    nb = course.student_notebook(CHAPTERS[0])
    with pytest.raises(TypeError, match="values must be a dict"):
        course.fill_glue(nb, [("a", "1")])


@pytest.mark.parametrize("nb", [float("nan"), None, "text", {}, [1, 2]])
def test_split_exercises_needs_a_notebook(nb):
    """Fuzz finding F-05: a non-notebook is a TypeError naming ``nb``."""
    with pytest.raises(TypeError, match="nb must be a notebook"):
        course.split_exercises(nb, 1)


@pytest.mark.parametrize("value", [float("nan"), "abc", -1.0, object()])
def test_instructor_notebook_execute_must_be_a_bool(value):
    """Fuzz finding F-06: execute=NaN was taken as True (the chapter ran); now a TypeError at once."""
    with pytest.raises(TypeError, match="execute"):
        course.instructor_notebook(CHAPTERS[0], execute=value)
