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


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
