"""`python -m server run|shell|purge`: the entry points the Makefile calls."""

from __future__ import annotations

import argparse
import os
import sys

from server import launcher, purge


def main(argv: list[str] | None = None) -> int:
    """Run `python -m server run|shell|purge`: the whole bot, the terminal chat, or the purge."""
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument("command", choices=("run", "shell", "purge"))
    args = parser.parse_args(argv)
    if args.command == "run":
        return launcher.run(os.environ)
    if args.command == "purge":
        return purge.main(os.environ)
    return launcher.shell(os.environ)


if __name__ == "__main__":
    sys.exit(main())
