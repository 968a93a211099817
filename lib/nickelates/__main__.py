"""Command-line entry point: ``python -m nickelates COMMAND [options]``.

Each subcommand lives in its own module that defines

* ``HELP`` (one line) and ``DESCRIPTION`` (paragraph),
* ``add_arguments(parser)`` filling an :class:`argparse.ArgumentParser`,
* ``run(args) -> int`` (exit code).

To add a subcommand, add one line to :data:`SUBCOMMANDS` (e.g.
``"figures": "nickelates.cli_figures"``). Modules are imported when the parser
is built, so they should import heavy dependencies (numba kernels, matplotlib)
inside ``run``.
"""
from __future__ import annotations

import argparse
import importlib
import signal
import sys

SUBCOMMANDS = {
    "fit-btk": "nickelates.cli_btk",
    "fit-btk-series": "nickelates.cli_btk_series",
    "figures": "nickelates.cli_figures",
    "fit-map": "nickelates.cli_map",
    "course": "nickelates.cli_course",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nickelates",
        description="Tools of the nickelates book (see each command's --help).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, modname in SUBCOMMANDS.items():
        mod = importlib.import_module(modname)
        sp = sub.add_parser(name, help=mod.HELP, description=mod.DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(sp)
        sp.set_defaults(_run=mod.run)
    return parser


#: exit code after Ctrl-C (128 + SIGINT, the shell's convention)
EXIT_INTERRUPTED = 130


def main(argv=None) -> int:
    """Parse ``argv`` and run the subcommand; return its exit code (130 after Ctrl-C).

    SIGXFSZ (a file-size limit, ``ulimit -f``) is ignored, so that a write past
    the limit fails with ``OSError(EFBIG)`` like a full disk, and the command
    reports it (exit 1) instead of being killed.
    """
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {args.command} stopped; files being written were discarded, "
              "earlier outputs are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
