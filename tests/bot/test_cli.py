"""The command line `python -m bot interpret`: its JSON contract, batch mode and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.reply.responses import response_text

ROOT = Path(__file__).resolve().parents[2]
FINDING_KEYS = {
    "earlier_in_message",
    "analyte",
    "text",
    "cells_per_ul",
    "unit_assumed",
    "computed",
    "category",
    "grade",
    "reference",
}
TOP_KEYS = {"findings", "temperature_c", "red_flags", "urgency", "reasons"}


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["interpret", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """One JSON object with exactly the documented keys and value types."""
    result = run_json(capsys, "WBC 2.9 L 4.0-11.0 x10^3/uL and a fever of 38.5")
    assert set(result) == TOP_KEYS
    finding = result["findings"][0]  # type: ignore[index]
    assert set(finding) == FINDING_KEYS
    assert finding == {
        "analyte": "wbc",
        "text": "2.9",
        "cells_per_ul": 2900,
        "unit_assumed": False,
        "computed": False,
        "category": "low",
        "grade": None,
        "earlier_in_message": [],
        "reference": {
            "low": 4000,
            "high": 11000,
            "basis": "lab report",
            "source": finding["reference"]["source"],
        },
    }
    assert result["temperature_c"] == 38.5
    assert result["red_flags"] == ["fever"]
    assert result["urgency"] == "emergency"
    assert result["reasons"]


def test_age_and_sex_options(capsys: pytest.CaptureFixture[str]) -> None:
    """--age-years picks the pediatric band; the text alone would use the adult range."""
    child = run_json(capsys, "--age-years", "3", "--sex", "female", "wbc 12.5")
    adult = run_json(capsys, "wbc 12.5")
    assert child["findings"][0]["category"] == "normal"  # type: ignore[index]
    assert child["findings"][0]["reference"]["basis"] == "pediatric band"  # type: ignore[index]
    assert adult["findings"][0]["category"] == "high"  # type: ignore[index]


def test_anc_is_computed_and_graded(capsys: pytest.CaptureFixture[str]) -> None:
    """WBC x (% neutrophils + % bands) gives a graded ANC, after the WBC in text order."""
    result = run_json(capsys, "WBC 2.0, neutrophils 20%, bands 5%")
    findings = result["findings"]
    assert [f["analyte"] for f in findings] == ["wbc", "anc"]  # type: ignore[index,union-attr]
    assert findings[1]["cells_per_ul"] == 500  # type: ignore[index]
    assert findings[1]["grade"] == "moderate"  # type: ignore[index]


def test_plain_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json: emergency advice first, the value with a thousands separator, disclaimer."""
    assert main(["interpret", "wbc 1.9 and I have a fever"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("URGENT")
    assert "1,900 cells per microliter" in out
    assert "not a diagnosis" in out.splitlines()[-1]


@pytest.mark.parametrize("text", ["", "   ", "x" * 100_000])
def test_bad_input_is_a_clear_message(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Empty or 100 KB text: a plain message on stderr and exit status 2, no traceback."""
    assert main(["interpret", "--json", text]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Cannot interpret this text")
    assert "Traceback" not in captured.err


def test_bad_age_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A non-numeric age is refused by the argument parser with exit status 2."""
    with pytest.raises(SystemExit) as exited:
        main(["interpret", "--age-years", "three", "wbc 3"])
    assert exited.value.code == 2
    assert "not a number of years" in capsys.readouterr().err


@pytest.mark.slow  # a real process: seconds
def test_batch_mode_in_a_real_process() -> None:
    """`-` reads one text per line (invalid UTF-8 and binary too) and prints one JSON per line."""
    lines = [
        b"wbc 3.2",
        b"",
        b"\xff\xfe binary \x00\x01 wbc 2.9",
        b"ANC 0.4 on chemo and chills",
        b"Leukozyten 3,2 G/l",
    ]
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "interpret", "-"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert b"Traceback" not in completed.stderr
    results = [json.loads(line) for line in completed.stdout.decode().splitlines()]
    assert len(results) == len(lines)
    assert results[0]["findings"][0]["cells_per_ul"] == 3200
    assert results[1]["findings"] == [] and "error" in results[1]
    assert results[2]["findings"][0]["cells_per_ul"] == 2900
    assert results[3]["urgency"] == "emergency"
    assert results[4]["findings"][0]["cells_per_ul"] == 3200


@pytest.mark.slow  # a real process: seconds
def test_invalid_utf8_argument_in_a_real_process() -> None:
    """An argument that is not valid UTF-8 is read with replacement characters, not a crash."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "interpret",
            "--json",
            b"wbc 3.2 \xff\xfe".decode("utf-8", "surrogateescape"),
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert json.loads(completed.stdout)["findings"][0]["cells_per_ul"] == 3200


def test_batch_mode_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Batch mode answers every line, an error object for an empty one."""
    import io

    class Stdin:
        buffer = io.BytesIO(b"wbc 3.2\n\nANC 0.4\n")

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["interpret", "--age-years", "40", "--sex", "male", "-"]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(r["findings"]) for r in results] == [1, 0, 1]
    assert results[1]["error"] == "the text is empty"


@pytest.mark.parametrize("age", ["-1", "200", "nan"])
def test_age_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str], age: str) -> None:
    """Ages outside 0-130 years are refused."""
    with pytest.raises(SystemExit):
        main(["interpret", "--age-years", age, "wbc 3"])
    assert "between 0 and 130" in capsys.readouterr().err


def test_reply_prints_what_the_chat_would_send(capsys: pytest.CaptureFixture[str]) -> None:
    """`reply --json`: messages with buttons, the urgency, the subject and the findings."""
    assert main(["reply", "--json", "wbc 1.9 and I have a fever"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"messages", "urgency", "subject", "findings"}
    assert result["subject"] == "leukopenia"
    assert result["urgency"] == "emergency"
    assert result["messages"][0]["text"].startswith("⚠️ Seek emergency care now")
    assert all(set(m) == {"text", "buttons"} for m in result["messages"])
    assert any(m["buttons"] for m in result["messages"])
    assert result["findings"][0]["cells_per_ul"] == 1900


def test_reply_plain_text_and_age(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the texts are printed; --age-years judges a child's count."""
    assert main(["reply", "--age-years", "4", "wbc 5.1"]) == 0
    out = capsys.readouterr().out
    assert "5,100" in out and "low for a 4-year-old" in out


@pytest.mark.slow  # a real process: seconds
def test_reply_batch_mode_is_one_fresh_conversation_per_line() -> None:
    """`reply -` reads lines; each line is its own conversation (no intro carried over)."""
    lines = "I have trouble breathing\n\nwbc 6.5\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "reply", "-"],
        input=lines.encode(),
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["urgency"] for r in results] == ["emergency", None, "routine"]
    assert results[1]["messages"][0]["text"]  # an empty line gets a friendly reply, not a crash
    intro = response_text("utter_intro")
    assert all(r["messages"][-1]["text"] == intro for r in results[::2])  # each one's first reply


@pytest.mark.slow  # a real process: seconds
def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`python -m bot reply - | head -1`: when the pipe closes, it stops quietly with status 0."""
    command = f"{sys.executable} -m bot reply - | head -c 1"
    completed = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        input=b"my wbc is 3.2\n" * 2000,  # far more than a pipe buffer holds
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert completed.stdout == b"{"
    assert b"Traceback" not in completed.stderr, completed.stderr.decode()
    assert completed.returncode == 0


# ---------------------------------------------------------------------------------------------
# --fhir: a FHIR R4 resource in, FHIR JSON out (docs/fhir.md)

FHIR_EXAMPLES = ROOT / "docs" / "fhir"


def test_fhir_file_prints_the_parameters_answer(capsys: pytest.CaptureFixture[str]) -> None:
    """`--fhir FILE`: the Parameters answer, its Observation coded L for a low white count."""
    assert main(["interpret", "--fhir", str(FHIR_EXAMPLES / "bundle-anc.json")]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["resourceType"] == "Parameters"
    codes = [
        part["resource"]["interpretation"][0]["coding"][0]["code"]
        for part in answer["parameter"]
        if part["name"] == "observation"
    ]
    assert codes == ["L", "L"]  # the white count and the ANC worked out from it


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"resourceType": "Patient"}', "not-supported"),
        (b"{not json", "invalid"),
        (b" " * 1_048_577, "too-costly"),
    ],
    ids=["patient", "not-json", "too-big"],
)
def test_fhir_bad_input_prints_an_operation_outcome(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], body: bytes, code: str
) -> None:
    """`--fhir -` with bad input: the OperationOutcome on stdout, a line on stderr, exit 2."""
    import io

    class Stdin:
        buffer = io.BytesIO(body)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["interpret", "--fhir", "-"]) == 2
    captured = capsys.readouterr()
    outcome = json.loads(captured.out)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == code
    assert captured.err.startswith("Cannot interpret this resource:")


def test_fhir_missing_file_is_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interpret", "--fhir", "/nonexistent/result.json"]) == 2
    assert "Cannot read /nonexistent/result.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["interpret", "--fhir", "x.json", "wbc 3.2"],
        ["interpret", "--fhir", "x.json", "--age-years", "4"],
        ["interpret"],
    ],
    ids=["with-text", "with-age", "nothing"],
)
def test_fhir_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """--fhir takes no text or person options (the resource says them).

    No text at all is a usage error too.
    """
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err


@pytest.mark.slow  # a real process: seconds
def test_fhir_from_stdin_in_a_real_process() -> None:
    """`python -m bot interpret --fhir -` as a portal's script would run it."""
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "interpret", "--fhir", "-"],
        input=(FHIR_EXAMPLES / "anc-critical.json").read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    answer = json.loads(completed.stdout)
    urgency = [p["valueCode"] for p in answer["parameter"] if p["name"] == "urgency"]
    assert urgency == ["same_day"]


def test_plain_reply_draws_the_range_picture_as_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    """`reply` without --json shows a reading's range picture as the shell does: one text bar."""
    assert main(["reply", "my wbc is 3.2"]) == 0
    bars = [
        line for line in capsys.readouterr().out.splitlines() if "usual" in line and "|" in line
    ]
    assert len(bars) == 1 and bars[0].rstrip().endswith("3,200")


def test_json_reply_has_no_bars(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reply", "--json", "my wbc is 3.2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(set(message) == {"text", "buttons"} for message in result["messages"])
