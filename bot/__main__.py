"""Command line over the public API.

    python -m bot interpret [--json] [--age-years N] [--sex female|male] TEXT
    python -m bot interpret [--age-years N] [--sex female|male] -
        (reads one text per line from stdin, prints one JSON object per line)

Exit status: 0 on success, 2 on bad input or usage (with a plain message on stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import IO, Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "interpret":  # pragma: no cover - argparse enforces the choice
        parser.error(f"unknown command {args.command}")
    from bot.model import Sex

    sex = Sex(args.sex) if args.sex else None
    if args.text == "-":
        return _interpret_lines(sys.stdin.buffer, sys.stdout, args.age_years, sex)
    return _interpret_one(args.text, args.json, args.age_years, sex)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Reads white blood cell counts in text and explains them. "
        "General information, not a diagnosis.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    interpret = commands.add_parser("interpret", help="interpret a message or lab line")
    interpret.add_argument("--json", action="store_true", help="print one JSON object")
    interpret.add_argument("--age-years", type=_age, default=None, metavar="N")
    interpret.add_argument("--sex", choices=["female", "male"], default=None)
    interpret.add_argument("text", metavar="TEXT", help="the text, or - to read lines from stdin")
    return parser


def _age(typed: str) -> float:
    try:
        years = float(typed)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{typed!r} is not a number of years") from None
    if not math.isfinite(years) or not 0 <= years <= 130:
        raise argparse.ArgumentTypeError("the age must be between 0 and 130 years")
    return years


def _interpret_one(text: str, as_json: bool, age_years: float | None, sex: Any) -> int:
    from bot import WbcBotError, interpret_text
    from bot.report import as_json_dict, as_text

    try:
        interpretation = interpret_text(_from_argv(text), age_years=age_years, sex=sex)
    except WbcBotError as exc:
        print(f"Cannot interpret this text: {exc}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if as_json:
        print(json.dumps(as_json_dict(interpretation), ensure_ascii=False))
    else:
        print(as_text(interpretation))
    return EXIT_OK


def _interpret_lines(lines: IO[bytes], out: IO[str], age_years: float | None, sex: Any) -> int:
    """Batch mode: one JSON object per input line; bad lines get an error object, not a crash."""
    from bot import WbcBotError, interpret_text
    from bot.report import as_json_dict, empty_json_dict

    for raw in lines:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        try:
            result = as_json_dict(interpret_text(text, age_years=age_years, sex=sex))
        except WbcBotError as exc:
            result = empty_json_dict(error=str(exc))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK


def _from_argv(text: str) -> str:
    """Arguments that were not valid UTF-8 arrive with surrogate escapes: replace them."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


if __name__ == "__main__":
    from bot.pipeline import skip_unused_ml_backends

    skip_unused_ml_backends()
    sys.exit(main())
