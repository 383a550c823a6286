"""Command line over the public API.

    python -m bot interpret [--json] [--age-years N] [--sex female|male] TEXT
    python -m bot interpret [--age-years N] [--sex female|male] -
        (reads one text per line from stdin, prints one JSON object per line)
    python -m bot interpret --fhir FILE|-
        (a FHIR R4 Observation, or a Bundle with the Patient, from a file or stdin; prints the
        answer as FHIR JSON: a Parameters resource, or an OperationOutcome on bad input;
        docs/fhir.md)
    python -m bot reply [--json] [--age-years N] TEXT|-
        (what the chatbot would send, for one fresh conversation per text; the question type
        comes from keyword rules, as there is no NLU model here; --json also gives the subject)

Exit status: 0 on success, 2 on bad input or usage (with a plain message on stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "interpret" and args.fhir is not None:
        if args.text is not None or args.json or args.age_years is not None or args.sex:
            parser.error("--fhir takes no text, --json, --age-years or --sex: the FHIR says it")
        return _interpret_fhir(args.fhir)
    if args.command == "interpret" and args.text is None:
        parser.error("give the TEXT to interpret, - to read lines from stdin, or --fhir FILE")
    if args.command == "reply":
        if args.text == "-":
            return _reply_lines(sys.stdin.buffer, sys.stdout, args.age_years)
        return _reply_one(_from_argv(args.text), args.json, args.age_years)
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
    interpret.add_argument(
        "--fhir",
        metavar="FILE",
        default=None,
        help="a FHIR R4 Observation or Bundle (JSON) to interpret, or - for stdin",
    )
    interpret.add_argument(
        "text", metavar="TEXT", nargs="?", help="the text, or - to read lines from stdin"
    )
    reply = commands.add_parser("reply", help="what the chatbot would answer to a message")
    reply.add_argument("--json", action="store_true", help="print one JSON object")
    reply.add_argument("--age-years", type=_age, default=None, metavar="N")
    reply.add_argument("text", metavar="TEXT", help="the text, or - to read lines from stdin")
    return parser


def _reply_one(text: str, as_json: bool, age_years: float | None) -> int:
    reply = _reply_json(text, age_years, with_bars=not as_json)
    if as_json:
        print(json.dumps(reply, ensure_ascii=False))
        return EXIT_OK
    for message in reply["messages"]:
        print(message["text"])
        for bar in message.get("bars", []):  # a reading's range picture, as the shell draws it
            print(bar)
        for button in message["buttons"]:
            print(f"  [{button['title']}] ({button['payload']})")
        print()
    return EXIT_OK


def _reply_lines(lines: IO[bytes], out: IO[str], age_years: float | None) -> int:
    """Batch mode: one fresh conversation and one JSON object per input line."""
    for raw in lines:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        out.write(json.dumps(_reply_json(text, age_years), ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK


def _reply_json(text: str, age_years: float | None, with_bars: bool = False) -> dict[str, Any]:
    """Run `text` through the chat's own turn (bot.reply.dialogue.respond) in a fresh conversation.

    `with_bars`: each message also carries its range pictures as text bars (plain output).
    """
    from bot.judge.conversation import ConversationState
    from bot.reply.dialogue import respond
    from bot.reply.explain import as_json_dict
    from bot.reply.responses import response_text

    reply = respond(ConversationState(age_years=age_years), text)
    messages: list[dict[str, Any]] = [
        {
            "text": message.text or response_text(message.response),
            "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        }
        for message in reply.messages
    ]
    if with_bars:
        from bot.reply.range_picture.text_bar import render_text_bar

        for shown, message in zip(messages, reply.messages, strict=True):
            shown["bars"] = [render_text_bar(picture) for picture in message.pictures]
    interpretation = reply.interpretation
    findings = [] if interpretation is None else as_json_dict(interpretation)["findings"]
    urgency = None if reply.urgency is None else reply.urgency.value
    subject = None if reply.state.subject is None else reply.state.subject.value
    return {"messages": messages, "urgency": urgency, "subject": subject, "findings": findings}


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
    from bot.reply.explain import as_json_dict, as_text

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
    from bot.reply.explain import as_json_dict, empty_json_dict

    for raw in lines:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        try:
            result = as_json_dict(interpret_text(text, age_years=age_years, sex=sex))
        except WbcBotError as exc:
            result = empty_json_dict(error=str(exc))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK


def _interpret_fhir(path: str) -> int:
    """One FHIR resource from a file (or stdin) in, one FHIR JSON answer out."""
    from datetime import date

    from bot.fhir import CLI_MAX_BYTES, FhirProblem, interpret_resource, read_json

    try:
        if path == "-":
            body = sys.stdin.buffer.read(CLI_MAX_BYTES + 1)
        else:
            with open(path, "rb") as file:
                body = file.read(CLI_MAX_BYTES + 1)
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        answer = interpret_resource(read_json(body, CLI_MAX_BYTES), today=date.today())
    except FhirProblem as problem:
        print(json.dumps(problem.outcome(), ensure_ascii=False, indent=2))
        print(f"Cannot interpret this resource: {problem}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return EXIT_OK


def _from_argv(text: str) -> str:
    """Arguments that were not valid UTF-8 arrive with surrogate escapes: replace them."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


if __name__ == "__main__":
    from bot.read.matchers import skip_unused_ml_backends

    skip_unused_ml_backends()
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader went away (`... | head -1`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
