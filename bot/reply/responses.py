"""The text of the non-medical replies (greetings, the intro, "please type a question").

They live in domain.yml as Rasa responses and are read here so that the command line shows what
the chat sends.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.yaml_files import read_yaml

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


def response_text(name: str) -> str:
    """The first text of a domain.yml response, or the name itself when it cannot be found."""
    variants = _responses().get(name) or [{}]
    return " ".join(str(variants[0].get("text") or name).split())


@cache
def _responses() -> dict[str, Any]:
    try:
        domain = read_yaml(DOMAIN_FILE)
    except (OSError, yaml.YAMLError):
        return {}
    responses = domain.get("responses") if isinstance(domain, dict) else None
    return responses if isinstance(responses, dict) else {}
