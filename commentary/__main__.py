"""``python -m commentary``: command-line tools on commentaries.

Each subcommand lives with its concern and registers itself here:
- ``score ID`` — the scorecard of a commentary (``commentary.scoring.cli``);
- ``record`` — each author's track record against chance (``commentary.scoring.record_cli``);
- ``propose FILE`` — draft claims extracted from a column's text (``commentary.extract.cli``).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module with ``add_arguments(parser)`` and ``run(args) -> int``
SUBCOMMANDS = {
    "score": "commentary.scoring.cli",
    "record": "commentary.scoring.record_cli",
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
