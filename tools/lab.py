"""Start JupyterLab on the book's chapters (``make lab``; also used by the JupyterLab browser test).

The chapters ``book/NN-*.md`` are MyST-Markdown notebooks: jupytext's JupyterLab
extension (shipped inside the ``jupytext`` package) opens them as notebooks, and
the settings written here make "Jupytext Notebook" the default viewer of ``.md``
files, so that a double click opens a chapter as a notebook. The explorers'
``ipywidgets`` render through the ``jupyterlab_widgets`` extension.

The server listens on 127.0.0.1 only, with a token, and is kept off the network:
no update check, no news feed. Usage::

    python tools/lab.py [--port N] [--root book]

prints the URL (with its token) and runs JupyterLab until Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: JupyterLab user settings: open .md (and MyST) files as Jupytext notebooks.
USER_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"},
    },
    # Widget messages on the kernel's main shell, not on subshells (JupyterLab 4.6's default is
    # "perCommTarget"): with ipykernel 7 a subshell runs the explorer's redraw in a second
    # thread, concurrently with the next cell, and matplotlib is not thread-safe (its mathtext
    # parser fails: "ParseException: exception raised in parse action"). Serialized, a slider
    # move is handled between cells, as in JupyterLab < 4.6.
    "@jupyterlab/apputils-extension/kernels-settings.jupyterlab-settings": {
        "commsOverSubshells": "disabled",
    },
    # no "Would you like to receive official Jupyter news?" prompt, no news fetch
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (asked from the OS)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(settings_dir: Path) -> Path:
    """Write the user settings above into ``settings_dir`` (created) and return it."""
    for rel, value in USER_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2) + "\n")
    return settings_dir


def command(*, root: Path, port: int, token: str, settings_dir: Path, workspaces_dir: Path,
            checkpoints_dir: Path | None = None, python: str = sys.executable,
            expose_app: bool = False) -> list[str]:
    """The ``jupyter lab`` command line: 127.0.0.1, token, no browser, nothing fetched from outside.

    Checkpoints ("Save"/"Revert" copies) go to ``checkpoints_dir`` (an absolute folder) instead
    of ``.ipynb_checkpoints/`` inside ``book/``.
    """
    cmd = [
        python, "-m", "jupyterlab",
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # the "pypi" manager would query the package index
        f"--LabApp.user_settings_dir={settings_dir}", f"--LabApp.workspaces_dir={workspaces_dir}",
    ]
    if checkpoints_dir is not None:
        cmd.append(f"--FileCheckpoints.checkpoint_dir={Path(checkpoints_dir).resolve()}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI and these machines run as root
        cmd.append("--allow-root")
    if expose_app:  # window.jupyterapp, for the browser test's commands
        cmd.append("--LabApp.expose_app_in_browser=True")
    return cmd


def environment() -> dict:
    """The kernel's environment: inline figures (never Agg), two BLAS threads on this 2-core machine."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env.setdefault(k, "2")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: a free one)")
    ap.add_argument("--root", default=str(ROOT / "book"), help="folder shown in JupyterLab (default: book/)")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"--port must be in [0, 65535], got {args.port}", file=sys.stderr)
        return 2
    root = Path(args.root).resolve()
    if not root.is_dir():
        print(f"--root {root} is not a folder", file=sys.stderr)
        return 2
    port = args.port or free_port()
    token = secrets.token_hex(16)
    cache = ROOT / ".cache" / "jupyterlab"
    settings = write_settings(cache / "user-settings")
    cmd = command(root=root, port=port, token=token, settings_dir=settings, workspaces_dir=cache / "workspaces",
                  checkpoints_dir=cache / "checkpoints")
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    print(f"JupyterLab on {root}\n  open: {url}\n  chapters (*.md) open as notebooks; Ctrl-C stops the server",
          flush=True)
    try:
        return subprocess.call(cmd, env=environment())
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
