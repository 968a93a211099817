"""Fault injection over the command-line tools (issue 25): the fault table.

Every CLI (fit-btk, fit-btk-series, fit-map, figures, course) runs as ``python -m
nickelates ...`` in a subprocess, after a normal run that leaves its outputs (the
"earlier outputs"), under each fault:

* full disk -- ``RLIMIT_FSIZE`` (``ulimit -f``) below the output's size: writes fail with
  ``EFBIG`` (the CLI ignores SIGXFSZ), as they fail with ``ENOSPC`` on a full disk;
* read-only folder -- ``chmod 0555``; as root (who writes there anyway) ``chattr +i``;
  skipped when neither makes the folder unwritable;
* missing scheduler (fit-map) -- ``--scheduler tcp://127.0.0.1:1``;
* Ctrl-C -- SIGINT while the command is busy: a driver makes one step wait (while a
  temporary output file is open, or in fit-map's second chunk), so the signal arrives
  there every time;
* existing outputs without ``--force``.

Each case checks the exit code, a one-line ``error:`` (or ``interrupted:``) message, no
traceback, no temporary file left, and the earlier outputs unchanged byte for byte.
``pytest -s`` prints the table (lines starting with ``FAULT``).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nickelates import _atomic, btk, course, gapmap
from nickelates.gapmap import engine as gapmap_engine

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ENV = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONWARNINGS="ignore")

#: makes one step of a CLI wait, so that SIGINT arrives there (see _interrupt)
DRIVER = r"""
import os, sys, time
def pause():
    print("READY", flush=True)
    time.sleep(300)
if os.environ["NK_SLOW"] == "write":            # while a temporary output file exists
    from nickelates import _atomic
    match = os.environ.get("NK_MATCH", "")
    real = _atomic._usual_mode
    def slow(tmp):
        if match in os.path.basename(str(tmp)):
            pause()
        real(tmp)
    _atomic._usual_mode = slow
elif os.environ["NK_SLOW"] == "chunk":          # fit-map: in the second chunk, after the first is kept
    from nickelates.gapmap import engine
    real_task, n = engine._chunk_task, []
    def slow_task(*a):
        if n:
            pause()
        n.append(1)
        return real_task(*a)
    engine._chunk_task = slow_task
from nickelates.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


# ------------------------------------------------------------------ inputs and the commands
def _btk_spectrum(path):
    b = np.linspace(-20, 20, 201)
    g = btk.conductance(b, 1.5, 0.43, 0.2, 3.0) * (1 + 1e-3 * b ** 2)
    path.write_text("\n".join(f"{x:.4f} {y:.6f}" for x, y in zip(b, g)) + "\n")
    return str(path)


def _series_spectra(folder):
    b = np.linspace(-8, 8, 161)
    rng = np.random.default_rng(11)
    files = []
    for T in (2.0, 5.0, 7.0):
        gap = float(btk.gap_bcs(T, 1.5, 9.0))
        g = btk.conductance(b, gap, 0.5, 0.2, T) * 1e-6 + rng.normal(0, 0.002e-6, b.size)
        head = ["Experiment\tbias spectroscopy\t", f"Ext. VI 1>Microscope temperature (K)\t{T}\t", "", "[DATA]",
                "Bias calc (V)\tdI/dV (S)"]
        p = folder / f"T{T:g}.dat"
        p.write_text("\n".join(head + [f"{x / 1e3:.9E}\t{y:.9E}" for x, y in zip(b, g)]) + "\n")
        files.append(str(p))
    return files


def _grid(path, ny=4, nx=3):
    bias = np.linspace(-4.0, 4.0, 81)
    rng = np.random.default_rng(0)
    g = np.array([[btk.conductance(bias, 1.0 + 0.05 * (i + j), 0.0, 0.05, 1.0, model="dynes", angle_resolved=False)
                   for j in range(nx)] for i in range(ny)])
    gapmap.write_3ds(path, 1e-11 * (g + 0.005 * rng.standard_normal(g.shape)), bias)
    return str(path)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    return {"spectrum": _btk_spectrum(d / "nb.txt"), "series": _series_spectra(d), "grid": _grid(d / "g.3ds")}


def _command(cli, inputs, out: Path):
    """(argv, output files) of ``cli`` writing into the folder ``out``."""
    if cli == "fit-btk":
        return (["fit-btk", inputs["spectrum"], "--gaps", "1", "-T", "3", "--normalize", "outer", "--starts", "1",
                 "-o", str(out / "fb")], [out / "fb.json", out / "fb.png"])
    if cli == "fit-btk-series":
        return (["fit-btk-series", *inputs["series"], "--gaps", "1", "--starts", "1", "-o", str(out / "ser")],
                [out / "ser.json", out / "ser.png"])
    if cli == "fit-map":
        return (["fit-map", inputs["grid"], "--temperature", "1", "--workers", "0", "--no-progress",
                 "--out", str(out / "maps.nc")], [out / "maps.nc"])
    if cli == "figures":
        return (["figures", "--out", str(out), "--only", "btk-classic", "--fast", "--format", "png",
                 "--no-progress"], [out / "btk-classic.png"])
    if cli == "course":
        return (["course", "--out", str(out), "--only", "01", "--no-execute"],
                [out / "student" / "01-bands.ipynb", out / "instructor" / "01-bands.ipynb", out / "README.md"])
    raise ValueError(cli)


CLIS = ["fit-btk", "fit-btk-series", "fit-map", "figures", "course"]
#: the exit code of a normal run (fit-btk-series: 0; fit-btk: 0 or 3 when the trust gates flag the fit)
OK_CODES = {0, 3}


def _run(argv, *, fsize=None, timeout=600):
    def limits():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "nickelates", *argv], capture_output=True, text=True, env=ENV,
                       preexec_fn=limits, timeout=timeout)
    return r.returncode, r.stdout, r.stderr, time.monotonic() - t0


def _interrupt(argv, slow, match="", timeout=600):
    """Run ``argv`` under DRIVER, send SIGINT once it waits; (exit code, stdout, stderr)."""
    env = dict(ENV, NK_SLOW=slow, NK_MATCH=match)
    p = subprocess.Popen([sys.executable, "-c", DRIVER, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    lines, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([p.stdout], [], [], 1.0)
            if ready:
                line = p.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if line.strip() == "READY":
                    p.send_signal(signal.SIGINT)
                    break
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, "".join(lines) + out, err


def _digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _leftovers(folder):
    return sorted(str(p) for p in Path(folder).rglob("*") if p.name.endswith(_atomic.TMP_SUFFIX)
                  or ".nickelates-write-test" in p.name)


def _message(err):
    """The CLI's one-line message: the last non-empty stderr line; no traceback anywhere."""
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines, "no message on stderr"
    return lines[-1]


def _report(cli, fault, rc, msg):
    print(f"\nFAULT | {cli} | {fault} | {rc} | {msg[:300]}")


@pytest.fixture
def earlier(inputs, tmp_path):
    """A folder with the outputs of a normal run of the CLI (the request's param)."""
    def make(cli):
        out = tmp_path / cli
        out.mkdir()
        argv, files = _command(cli, inputs, out)
        rc, so, se, _ = _run(argv)
        assert rc in OK_CODES, se
        assert all(f.is_file() for f in files)
        return out, argv, files
    return make


@contextlib.contextmanager
def _read_only(folders):
    """Make ``folders`` unwritable (chmod, or chattr +i as root); yield False if that is impossible."""
    done = []
    try:
        for f in folders:
            f.chmod(0o555)
        if all(not os.access(f, os.W_OK) for f in folders):
            yield True
            return
        for f in folders:
            r = subprocess.run(["chattr", "+i", str(f)], capture_output=True)
            if r.returncode != 0:
                yield False
                return
            done.append(f)
        yield True
    finally:
        for f in done:
            subprocess.run(["chattr", "-i", str(f)], capture_output=True)
        for f in folders:
            f.chmod(0o755)


# ------------------------------------------------------------------ the table
@pytest.mark.slow
@pytest.mark.parametrize("cli", CLIS)
def test_full_disk(cli, earlier):
    """A write past the file-size limit: exit 1, one line naming the file, nothing left, old outputs intact."""
    out, argv, files = earlier(cli)
    before = _digest(files)
    largest = max(f.stat().st_size for f in files)
    limit = 4096 if cli != "fit-map" else 16384
    assert largest > limit                   # the limit really cuts the largest output
    rc, so, se, _ = _run(argv + ["--force"], fsize=limit)
    msg = _message(se)
    _report(cli, "full disk", rc, msg)
    assert rc == 1 and msg.startswith("error: cannot write") and "unchanged" in msg, se
    assert "file-size limit" in msg or "No space" in msg
    assert _digest(files) == before and _leftovers(out) == []
    if cli == "fit-map":                     # the fitted chunks are kept: a rerun writes without refitting
        assert "kept in" in msg and (out / "maps.nc.partial").is_dir()
        rc, so, se, _ = _run(argv + ["--force"])
        assert rc in OK_CODES and "every chunk from the earlier run" in so and not (out / "maps.nc.partial").exists()


@pytest.mark.slow
def test_fit_map_full_disk_while_fitting(earlier):
    """The disk fills before the first chunk is kept: exit 1, no partial folder, the earlier map intact."""
    out, argv, files = earlier("fit-map")
    before = _digest(files)
    rc, so, se, _ = _run(argv + ["--force"], fsize=1024)
    msg = _message(se)
    _report("fit-map", "full disk while fitting (scratch)", rc, msg)
    assert rc == 1 and "maps.nc.partial/chunk_00000.npz" in msg and "nothing is kept" in msg, se
    assert _digest(files) == before and _leftovers(out) == [] and not (out / "maps.nc.partial").exists()


@pytest.mark.slow
@pytest.mark.parametrize("cli", CLIS)
def test_read_only_folder(cli, earlier):
    """An output folder that cannot be written: exit 2 before any work, the folder named, nothing changed."""
    out, argv, files = earlier(cli)
    before = _digest(files)
    folders = sorted({f.parent for f in files})
    with _read_only(folders) as possible:
        if not possible:
            pytest.skip("cannot make a folder read-only here (root without chattr)")
        rc, so, se, _ = _run(argv + ["--force"])
    msg = _message(se)
    _report(cli, "read-only folder", rc, msg)
    assert rc == 2 and ("not writable" in msg or "cannot be written" in msg), se
    assert rc == 2 and str(out) in msg
    assert _digest(files) == before and _leftovers(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("cli", CLIS)
def test_existing_outputs_without_force(cli, earlier):
    out, argv, files = earlier(cli)
    before = _digest(files)
    rc, so, se, _ = _run(argv)
    msg = _message(se)
    _report(cli, "existing outputs, no --force", rc, msg)
    assert rc == 2 and "--force" in msg, se
    assert _digest(files) == before and _leftovers(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("cli", CLIS)
def test_ctrl_c_while_writing(cli, earlier):
    """SIGINT while the new output's temporary file is open: exit 130, the temporary removed, old outputs intact."""
    out, argv, files = earlier(cli)
    before = _digest(files)
    rc, so, se = _interrupt(argv + ["--force"], "write", match=files[0].name)
    msg = _message(se)
    _report(cli, "Ctrl-C while writing", rc, msg)
    assert rc == 130 and msg.startswith("interrupted"), se
    assert _digest(files) == before and _leftovers(out) == []


@pytest.mark.slow
def test_fit_map_ctrl_c_keeps_chunks_and_resumes(inputs, tmp_path):
    """SIGINT in fit-map's second chunk: exit 130, how to resume; the rerun fits only what is missing."""
    argv, files = _command("fit-map", inputs, tmp_path)
    rc, so, se = _interrupt(argv + ["--rows-per-chunk", "1"], "chunk")
    msg = _message(se)
    _report("fit-map", "Ctrl-C while fitting", rc, msg)
    assert rc == 130 and "1 finished chunk(s) are kept in" in msg and "rerun the same command to resume" in msg
    partial = tmp_path / "maps.nc.partial"
    assert sorted(p.name for p in partial.iterdir()) == ["chunk_00000.npz", "key.txt"]
    assert not files[0].exists() and _leftovers(tmp_path) == []
    rc, so, se, _ = _run(argv + ["--rows-per-chunk", "1"])
    assert rc in OK_CODES and files[0].is_file() and not partial.exists()
    ref = tmp_path / "ref"
    ref.mkdir()
    argv2, files2 = _command("fit-map", inputs, ref)
    assert _run(argv2 + ["--rows-per-chunk", "1"])[0] in OK_CODES
    import xarray as xr
    a, b = xr.load_dataset(files[0]), xr.load_dataset(files2[0])
    for name in ("delta1", "gamma1", "ok", "reason"):      # resumed map = map of one uninterrupted run
        assert np.array_equal(a[name].values, b[name].values), name


@pytest.mark.slow
def test_fit_map_missing_scheduler(inputs, tmp_path):
    """No scheduler at the address: exit 1 after --scheduler-timeout, the address named, no partial folder."""
    argv, files = _command("fit-map", inputs, tmp_path)
    argv = [a for a in argv if a not in ("--workers", "0")]
    rc, so, se, dt = _run(argv + ["--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "1"])
    msg = _message(se)
    _report("fit-map", f"missing scheduler (whole run {dt:.1f} s)", rc, msg)
    assert rc == 1 and "tcp://127.0.0.1:1" in msg and "within 1 s" in msg, se
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ------------------------------------------------------------------ quick, in-process checks
def test_scheduler_timeout_flag_checked(inputs, tmp_path, capsys):
    from nickelates.__main__ import main
    argv, _ = _command("fit-map", inputs, tmp_path)
    argv = [a for a in argv if a not in ("--workers", "0")]
    assert main(argv + ["--scheduler-timeout", "0", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler-timeout must lie in (0, 3600]" in capsys.readouterr().err
    assert main(argv + ["--scheduler-timeout", "3"]) == 2
    assert "--scheduler-timeout needs --scheduler" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_fit_map_api_missing_scheduler_leaves_no_partial_folder(tmp_path):
    import xarray as xr
    grid = xr.DataArray(np.ones((1, 1, 16)), dims=("y", "x", "bias"), coords={"bias": np.linspace(-2, 2, 16)})
    with pytest.raises(ConnectionError, match="tcp://127.0.0.1:1"):
        gapmap.fit_map(grid, temperature=1.0, scheduler="tcp://127.0.0.1:1", scheduler_timeout=0.5,
                       scratch=tmp_path / "m.nc.partial")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="scheduler_timeout"):
        gapmap.fit_map(grid, temperature=1.0, scheduler="tcp://127.0.0.1:1", scheduler_timeout=0.0)
    for name in ("progress", "keep_scratch"):
        with pytest.raises(TypeError, match=name):
            gapmap.fit_map(grid, temperature=1.0, workers=0, **{name: "False"})


def test_write_maps_refuses_without_force_and_keeps_old_file(tmp_path, monkeypatch):
    import xarray as xr
    ds = xr.Dataset({"delta1": (("y", "x"), np.ones((2, 2)))})
    p = tmp_path / "m.nc"
    gapmap.write_maps(ds, p)
    old = p.read_bytes()
    with pytest.raises(FileExistsError, match="force"):
        gapmap.write_maps(ds * 2, p)
    for bad in ("True", 1, None, float("nan")):
        with pytest.raises(TypeError, match="force"):
            gapmap.write_maps(ds * 2, p, force=bad)

    def full(fd, *a):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(_atomic.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        gapmap.write_maps(ds * 2, p, force=True)
    monkeypatch.undo()
    assert p.read_bytes() == old and sorted(f.name for f in tmp_path.iterdir()) == ["m.nc"]
    gapmap.write_maps(ds * 2, p, force=True)
    assert float(xr.load_dataset(p)["delta1"].sum()) == 8.0


@pytest.mark.parametrize("kw, exc, word", [
    (dict(size_m=[]), ValueError, "size_m"), (dict(size_m=None), TypeError, "size_m"),
    (dict(size_m={}), TypeError, "size_m"), (dict(size_m=(float("nan"), 1e-8)), ValueError, r"size_m\[0\]"),
    (dict(size_m=(1e-8, 0.0)), ValueError, r"size_m\[1\]"), (dict(size_m="ab"), TypeError, "size_m"),
    (dict(center_m=(0.0, float("inf"))), ValueError, r"center_m\[1\]"), (dict(center_m=None), TypeError, "center_m"),
    (dict(center_m=(0.0,)), ValueError, "center_m"), (dict(force="yes"), TypeError, "force")])
def test_write_3ds_validates_frame_and_force(tmp_path, kw, exc, word):
    """Issue 25 item 4: size_m=[]/None/{} and a NaN size are refused naming the argument; nothing is written."""
    with pytest.raises(exc, match=word):
        gapmap.write_3ds(tmp_path / "g.3ds", np.ones((1, 2, 8)), np.linspace(-1, 1, 8), **kw)
    assert list(tmp_path.iterdir()) == []


def test_write_3ds_replaces_only_with_force(tmp_path):
    p = tmp_path / "g.3ds"
    gapmap.write_3ds(p, np.ones((1, 2, 8)), np.linspace(-1, 1, 8), size_m=(4e-9, 2e-9))
    old = p.read_bytes()
    with pytest.raises(FileExistsError):
        gapmap.write_3ds(p, 2 * np.ones((1, 2, 8)), np.linspace(-1, 1, 8))
    assert p.read_bytes() == old
    gapmap.write_3ds(p, 2 * np.ones((1, 2, 8)), np.linspace(-1, 1, 8), size_m=(4e-9, 2e-9), force=True)
    g = gapmap.read_grid(p)
    assert float(g.values.max()) == 2.0
    # the frame: pixel centres at -size/2 + (k + 1/2) size/n (hand-derived), in m
    assert np.allclose(g["x"].values, [-1e-9, 1e-9]) and np.allclose(g["y"].values, [0.0])


def test_atomic_write_interrupted_leaves_nothing(tmp_path):
    p = tmp_path / "a.json"
    p.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with _atomic.atomic_write(p, force=True) as fh:
            fh.write("new, half")
            raise KeyboardInterrupt
    assert p.read_text() == "old" and sorted(f.name for f in tmp_path.iterdir()) == ["a.json"]
    with pytest.raises(TypeError, match="force"):
        _atomic.write_text(p, "x", force=1)
    with pytest.raises(FileExistsError):
        _atomic.write_text(p, "x")
    with pytest.raises(ValueError, match="--out"):
        _atomic.check_targets([tmp_path / "missing" / "x"], False)
    for bad, word in ((dict(payload=None), "payload"), (dict(payload="text"), "payload"),
                      (dict(payload=b"x", force="no"), "force")):
        with pytest.raises(TypeError, match=word):
            gapmap.atomic_write_bytes(tmp_path / "b.bin", **bad)
    with pytest.raises(TypeError, match="path"):
        gapmap.atomic_write_bytes(None, b"x")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["a.json"]


@pytest.mark.slow
def test_course_names_the_failing_chapter_and_cell(tmp_path, monkeypatch, capsys):
    """Issue 25 item 2: a bare AssertionError in a chapter names the file, the cell and its first line; exit 1."""
    from nickelates import cli_course
    book = tmp_path / "book"
    book.mkdir()
    chapter = book / "98-failing.md"
    chapter.write_text("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
                       "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
                       "# A failing chapter\n\n```{code-cell} ipython3\nx = 1\n```\n\nText.\n\n"
                       "```{code-cell} ipython3\n# a check\nassert x == 2\n```\n")
    with pytest.raises(course.ChapterExecutionError) as info:
        course.instructor_notebook(chapter, timeout=120)
    err = info.value
    assert err.chapter == str(chapter) and err.line == "# a check" and err.error.startswith("AssertionError")
    assert err.cell == 3                    # cells: title, code, text, code (0-based)
    assert "98-failing.md: cell 3 (first line '# a check') failed: AssertionError" in str(err)
    assert str(err).endswith("at line 21 of the file")      # the cell's first line in the .md (counted by hand)
    monkeypatch.setattr(course, "chapter_files", lambda *a, **k: [chapter])
    out = tmp_path / "out"
    rc = cli_course.run(cli_course.parser().parse_args(["--out", str(out)]))
    msg = capsys.readouterr().err.strip().splitlines()[-1]
    _report("course", "failing cell", rc, msg)
    assert rc == 1 and "98-failing.md: cell 3" in msg and "AssertionError" in msg
    assert not (out / "README.md").exists() and _leftovers(out) == []


def test_frames_are_written_atomically(tmp_path, monkeypatch):
    """viz.frames: a frame file goes through the shared helper (no temporary left on a failure)."""
    import matplotlib.pyplot as plt

    from nickelates.viz import frames
    monkeypatch.setattr(frames, "_frames_dir", lambda: tmp_path)
    monkeypatch.setattr("nickelates.viz.explorer.static_book", lambda: True)

    def full(fd, *a):
        raise OSError(28, "No space left on device")
    fig = plt.figure(figsize=(1, 1))
    monkeypatch.setattr(_atomic.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        frames._png(fig, 72)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setattr(frames, "_frames_dir", lambda: tmp_path)
    monkeypatch.setattr("nickelates.viz.explorer.static_book", lambda: True)
    url = frames._png(plt.figure(figsize=(1, 1)), 72)
    assert [f.name for f in tmp_path.iterdir()] == [url.rsplit("/", 1)[-1]]


# ------------------------------------------------------------------ object arguments of the map and frame writers
def _fitted_block():
    from nickelates.gapmap import fit
    m = fit.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    block = np.stack([[m([1.0, 0.1, 1.0]), m([1.2, 0.1, 1.0])]])
    return fit.fit_rows(block, m.bias, 2.0), block, m.bias


@pytest.mark.parametrize("kw, exc, word", [
    (dict(out={}), ValueError, "out must be fit_rows' result"), (dict(out=[]), TypeError, "out must be the dict"),
    (dict(out=np.ones((2, 2))), TypeError, "out must be the dict"),
    (dict(measured={}), TypeError, "measured must be a boolean array"),
    (dict(measured=np.ones(3, bool)), TypeError, "measured must be a boolean array"),
    (dict(channel=np.ones(2)), TypeError, "channel must be a str"),
    (dict(block=np.ones((2, 5))), ValueError, "block must be a"), (dict(block="x"), TypeError, "block must be")])
def test_gate_block_checks_its_arguments(kw, exc, word):
    """Fuzz findings F-17..F-21: KeyError/IndexError/AttributeError became named TypeError/ValueError."""
    out, block, bias = _fitted_block()
    args = dict(out=out, block=block, bias_mV=bias) | kw
    with pytest.raises(exc, match=word):
        gapmap_engine.gate_block(args.pop("out"), args.pop("block"), args.pop("bias_mV"), **args)


@pytest.mark.parametrize("maps", [float("nan"), None, "m", {}, np.ones((2, 2))])
def test_pixel_curve_needs_a_dataset(maps):
    """Fuzz finding F-16."""
    with pytest.raises(TypeError, match="maps must be an xarray.Dataset"):
        gapmap.pixel_curve(maps, np.linspace(-1, 1, 8), 0, 0)


@pytest.mark.parametrize("kw, word", [(dict(extra=1.5), "extra must be a dict"), (dict(extra="x"), "extra"),
                                      (dict(header=float("nan")), "header must be a dict"),
                                      (dict(header=["a=1"]), "header")])
def test_write_3ds_extra_and_header_are_dicts(tmp_path, kw, word):
    """Fuzz findings F-30/F-31; nothing is written."""
    with pytest.raises(TypeError, match=word):
        gapmap.write_3ds(tmp_path / "g.3ds", np.ones((1, 1, 8)), np.linspace(-1, 1, 8), **kw)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kw, word", [(dict(label=1.5), "label must be a str"), (dict(title=None), "title")])
def test_slider_frames_labels_are_strings(kw, word):
    """Fuzz findings F-82/F-99: a label that is not a format string is a TypeError naming it."""
    import matplotlib.pyplot as plt

    from nickelates.viz import frames
    with pytest.raises(TypeError, match=word):
        frames.slider_frames(lambda v: plt.figure(), [1], **kw)
    with pytest.raises(TypeError, match="x_label must be a str"):
        frames.slider_frames_2d(lambda x, y: plt.figure(), [1], [1], x_label=None)
    with pytest.raises(TypeError, match="y_label must be a str"):
        frames.slider_frames_2d(lambda x, y: plt.figure(), [1], [1], y_label={})
