"""What the FHIR interpreter refuses, said as FHIR says it (docs/fhir.md, "Errors").

An OperationOutcome with one issue (severity error, an issue type code, a plain `diagnostics`
text and where in the resource, as FHIRPath), and the HTTP status that goes with it.
"""

from __future__ import annotations

from typing import Any

from bot.errors import WbcBotError

BAD_REQUEST = 400  # not JSON, or not a JSON object
NOT_FOUND = 404  # another operation than $interpret
METHOD_NOT_ALLOWED = 405
REQUEST_TIMEOUT = 408
TOO_LARGE = 413
UNSUPPORTED_MEDIA_TYPE = 415
UNPROCESSABLE = 422  # FHIR JSON, but not something this service can interpret
TOO_MANY_REQUESTS = 429
SERVER_ERROR = 500

# How much of a value the client sent is quoted back in a diagnostic (never in a log).
QUOTE_CHARS = 40


class FhirProblem(WbcBotError, ValueError):
    """A refused request: its HTTP status, issue code, what is wrong, and where.

    The code is an OperationOutcome issue type (invalid, structure, required, value, not-supported,
    too-costly, business-rule ...).
    """

    def __init__(
        self, status: int, code: str, diagnostics: str, expression: str | None = None
    ) -> None:
        """Keep what the OperationOutcome and the HTTP answer are made from."""
        super().__init__(status, code, diagnostics, expression)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression

    def __str__(self) -> str:
        where = f" (at {self.expression})" if self.expression else ""
        return f"{self.diagnostics}{where}"

    def outcome(self) -> dict[str, Any]:
        """The OperationOutcome resource that tells the client."""
        return operation_outcome(self.code, self.diagnostics, self.expression)


def operation_outcome(code: str, diagnostics: str, expression: str | None = None) -> dict[str, Any]:
    """An OperationOutcome with one error issue."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def quoted(value: object) -> str:
    """A value the client sent, as a diagnostic quotes it: short, one line."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 3] + "..."
    return f'"{text}"'


def unprocessable(code: str, diagnostics: str, expression: str | None = None) -> FhirProblem:
    """FHIR JSON that cannot be interpreted here (HTTP 422)."""
    return FhirProblem(UNPROCESSABLE, code, diagnostics, expression)
