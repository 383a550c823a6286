"""Read the bytes of a request into a JSON object, refusing what cannot be read.

It sets the media types taken and the size limit; JSON that is not JSON (or nests too deep, or
holds NaN) is refused with the right status.
"""

from __future__ import annotations

import json
from typing import Any

from bot.fhir.problems import (
    BAD_REQUEST,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    FhirProblem,
    quoted,
)

FHIR_JSON = "application/fhir+json"
MEDIA_TYPES = (FHIR_JSON, "application/json")
# A Bundle of Observations nests about 8 deep; nothing a lab sends needs more than this.
MAX_DEPTH = 32
# The largest resource the command line reads (the HTTP route takes MAX_BODY_BYTES).
CLI_MAX_BYTES = 1_048_576


def check_media_type(content_type: str | None) -> None:
    """Only FHIR JSON (or plain JSON) is read: anything else is HTTP 415."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        shown = quoted(media_type) if media_type else "no Content-Type"
        raise FhirProblem(
            UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            f"{shown} is not read here: send the resource as {FHIR_JSON} (or application/json).",
        )


def too_large(limit: int) -> FhirProblem:
    """A body over the limit: HTTP 413."""
    return FhirProblem(
        TOO_LARGE,
        "too-costly",
        f"The request is larger than {limit:,} bytes: send one Observation, or a Bundle with "
        f"only the blood count and the Patient.",
    )


def read_json(body: bytes, limit: int) -> dict[str, Any]:
    """The JSON object in `body` (UTF-8, at most `limit` bytes)."""
    if len(body) > limit:
        raise too_large(limit)
    try:
        text = body.decode("utf-8-sig")
        parsed = json.loads(text, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise FhirProblem(BAD_REQUEST, "invalid", "The body is not UTF-8 text.") from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # JSONDecodeError, NaN or Infinity, an integer of 4,300 digits
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise FhirProblem(
            BAD_REQUEST, "invalid", f"The body is not valid JSON: {reason}."
        ) from None
    if not isinstance(parsed, dict):
        raise FhirProblem(
            BAD_REQUEST, "structure", "The body must be a JSON object: one FHIR resource."
        )
    if _depth(parsed) > MAX_DEPTH:
        raise _too_deep()
    return parsed


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _too_deep() -> FhirProblem:
    return FhirProblem(BAD_REQUEST, "structure", f"The JSON nests deeper than {MAX_DEPTH} levels.")


def _depth(value: Any) -> int:
    """How deep objects and arrays nest (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[Any] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest
