"""`import KIND FILE [KIND FILE ...] [--database-url URL]`: the CSV importers, exactly as
`python -m backend.importer` runs them (backend/importer/__main__.py: its parser, its messages, its
all-or-nothing transaction); this module only hands the arguments over."""
from __future__ import annotations

import argparse

from backend.importer.__main__ import main as importer_main

NAME = "import"


def register(commands: argparse._SubParsersAction) -> None:
    """Add `import`, for the command list; its arguments are the importer's (see cli.main)."""
    command = commands.add_parser(NAME, add_help=False, help="import CSV exports: accounts, bills, outages "
                                                            "(`import --help` for the importer's own help)")
    command.add_argument("importer_args", nargs=argparse.REMAINDER, metavar="KIND FILE ...")
    command.set_defaults(run=lambda args: run(args.importer_args))


def run(argv: list[str]) -> int:
    """The importer's exit status for these arguments."""
    return importer_main(argv)
