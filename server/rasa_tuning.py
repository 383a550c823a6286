"""Two changes to Rasa 3.6's own behaviour inside the Rasa server, applied by our channels.

Our channels are the code Rasa loads into its server process at start-up (credentials.yml), so
their constructors call `apply()`. Both changes keep Rasa's behaviour and fix a cost:

- the action-server timeout: Rasa hard-codes 5 minutes; a person should hear "I'm having
  trouble" within seconds instead (ACTION_TIMEOUT_SECONDS);
- checking the action server's response: Rasa calls jsonschema.validate() per message, which
  also checks the schema itself against the metaschema every time, about half of the Rasa
  server's CPU time per message (make bench-load). Here the validator is built once.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import rasa.core.actions.action
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

VALIDATION_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    f"Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)


def apply(action_timeout_seconds: float) -> None:
    """Set the action-server timeout and the once-built response validator."""
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout_seconds
    RemoteAction._validate_action_result = _validate_action_result


@functools.cache
def _action_result_validator() -> Any:
    """The validator of Rasa's action-server response schema, checked and built once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's own check of an action-server response (same errors, same message)."""
    error = jsonschema.exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += VALIDATION_HINT
        raise error
    return True
