"""Changes to Rasa 3.6.21's own code that only make it cheaper, never different (issue #10).

Applied by the Rasa entry point every process of ours uses (`python -m bot.rasa_server`,
which bot/launch.py and the tests start) and by the in-process agent of the tests.

- Validating the action server's answer: `RemoteAction._validate_action_result` calls
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's
  meta-schema, on every custom action. That check was 43 % of Rasa's CPU per customer turn
  (py-spy under `make bench`'s closed loop). Here the schema is checked once and its
  validator kept; the answer is validated as before, with the same best-matching error and
  the same message when it is invalid.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError, Validator, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_APPLIED = False
# Rasa's own, kept before apply() replaces it (the tests compare the two).
UPSTREAM_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result


@cache
def action_result_validator() -> Validator:
    """The validator of the action server's answer, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_: RemoteAction, result: dict[str, Any]) -> bool:
    """What `jsonschema.validate(result, schema)` decides, without re-checking the schema."""
    error: ValidationError | None = exceptions.best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own addition to the message (rasa/core/actions/action.py), kept word for word.
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    """Install the changes; calling it again does nothing."""
    global _APPLIED
    if _APPLIED:
        return
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _APPLIED = True
