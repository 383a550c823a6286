"""`python -m server.rasa_run ARGS`: `rasa ARGS` for `make run` and `make shell` alike.

Our changes to Rasa are in place before it starts, and Rasa's HTTP API token is taken from the
environment (RASA_API_TOKEN) instead of the command line.

The changes (server/rasa_tuning.py: the action-server timeout, the parse off the event loop,
the bounded history, ...) and our log level are applied here, once, at start-up, so every
channel gets them (the terminal's too), not by whichever channel happens to be built first.

A process's command line is readable by every user of the machine (`ps`, /proc/PID/cmdline);
its environment only by its own user. The launcher therefore never puts the token on a command
line: this module adds `--enable-api --auth-token TOKEN` to Rasa's arguments inside the process
(sys.argv is Python's copy; the command line the system shows stays as it was started).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

# WbcEntityExtractor (components/wbc_entities.py) serves NLU evaluation only: nothing in a running
# bot uses its entities, so it is off in every Rasa process started here (server and shell). The
# subject extractor stays on: the tracker shows each message's subject to API clients and
# analysts, and it shares one reading of the message with the count-intent rule
# (bot.read.parse.parse_text keeps the last few readings).
ENTITY_SWITCHES = ("WBC_ENTITIES",)


def rasa_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Rasa's arguments: `argv`, with the API and its token when RASA_API_TOKEN is set."""
    token = environ.get("RASA_API_TOKEN", "")
    return [*argv, "--enable-api", "--auth-token", token] if token else list(argv)


def main() -> None:
    """Apply our changes to Rasa and our log level, then run `rasa` with the arguments given."""
    from rasa.__main__ import main as rasa_main  # Rasa takes seconds to import: only here

    from server import rasa_tuning, settings
    from server.privacy import apply_log_level

    for switch in ENTITY_SWITCHES:
        os.environ.setdefault(switch, "off")
    values = settings.resolve(os.environ)
    rasa_tuning.apply(settings.number(values, "ACTION_TIMEOUT_SECONDS"))
    apply_log_level(values["LOG_LEVEL"])
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    rasa_main()


if __name__ == "__main__":
    main()
