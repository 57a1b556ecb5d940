"""``python -m commentary``: command-line tools on commentaries.

Each subcommand registers itself here (the ones that word their output from the catalogs live in
``commentary/cli/``):
- ``score ID`` — the scorecard of a commentary (``commentary.cli.score``);
- ``record`` — each author's track record against chance (``commentary.cli.record``);
- ``propose FILE`` — draft claims extracted from a column's text (``commentary.extract.cli``).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module with ``add_arguments(parser)`` and ``run(args) -> int``
SUBCOMMANDS = {
    "score": "commentary.cli.score",
    "record": "commentary.cli.record",
    "propose": "commentary.extract.cli",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m commentary", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, module_name in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name is None or not (module_name + ".").startswith(err.name + "."):
                raise  # a missing dependency inside the module, not the module (or its package) itself
            continue
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").splitlines()[0]))
    args = parser.parse_args(argv)
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
