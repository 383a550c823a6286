"""Keeping personal data out of the logs: sender ids appear only as a short hash."""

from __future__ import annotations

import hashlib


def hashed(sender_id: str) -> str:
    """A short, stable stand-in for a sender id in log lines (not reversible)."""
    digest = hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()
    return f"sender-{digest[:12]}"
