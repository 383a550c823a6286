"""The action server: rasa_sdk's own, started lean and ready.

`python -m server.action_server --port 5055` is `rasa run actions --actions actions` without
importing Rasa (and so TensorFlow), and with the spaCy pipeline loaded before the first request,
so the first person does not wait for it (the Rasa server gives up on a slow action server).
"""

from __future__ import annotations

import os
import sys

from bot.read.matchers import skip_unused_ml_backends
from server.privacy import apply_log_level


def main(argv: list[str] | None = None) -> None:
    """Start rasa_sdk's action server on the actions package, warmed up and with our log level."""
    # MAX_BODY_BYTES (SANIC_REQUEST_MAX_SIZE) limits what people send to the Rasa server; what
    # the Rasa server sends here is a whole conversation, which may be larger.
    os.environ.pop("SANIC_REQUEST_MAX_SIZE", None)
    skip_unused_ml_backends()
    apply_log_level(os.environ.get("LOG_LEVEL", "INFO"))
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from bot import parse_text

    parse_text("warm-up: wbc 3.2 and a fever of 38.5")
    args = create_argument_parser().parse_args(["--actions", "actions", *(argv or [])])
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
