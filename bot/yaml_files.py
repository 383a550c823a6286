"""Read a YAML file of plain data, with libyaml's C parser where PyYAML was built with it.

The C parser is much faster than the pure-Python one, which matters for the corpus and content
files every test process reads (docs/performance.md, "YAML loading"); else PyYAML's own parser
is used. Both are safe loaders: plain data, no objects. Errors are PyYAML's (yaml.YAMLError) and
the file's (OSError, UnicodeDecodeError).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"  # the tables, vocabulary and texts of bot/data/
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """The data in YAML `text`."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader


def read_yaml(path: Path) -> Any:
    """The data in the UTF-8 YAML file at `path`."""
    return parse_yaml(path.read_text(encoding="utf-8"))
