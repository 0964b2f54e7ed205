"""Changes to Rasa 3.6.21's own code that only make it cheaper, never different (issue #10).

Applied by the Rasa entry point every process of ours uses (`python -m bot.rasa_server`,
which bot/launch.py and the tests start) and by the in-process agent of the tests.

- Validating the action server's answer: `RemoteAction._validate_action_result` calls
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's
  meta-schema, on every custom action. That check was 43 % of Rasa's CPU per customer turn
  (py-spy under `make bench`'s closed loop). Here the schema is checked once and its
  validator kept; the answer is validated as before, with the same best-matching error and
  the same message when it is invalid.
- Saving the tracker at the end of a turn: `MessageProcessor.save_tracker` also hands the
  saved tracker's summary to the input channel handling the message (bot/channels/turn_state.py),
  which answers it with the replies; the router used to read the tracker again for it.
- Reading events back: `Event.resolve_by_type` walks every subclass of Event (recursively,
  checking each for abstract methods) for every stored event, each time a tracker is loaded:
  a tracker of 150 events cost 150 walks, the growing part of a long conversation's turn.
  The class found for a type name is remembered; an unknown name still goes to Rasa's walk
  (custom events imported later are found as before).
- Calling the action server: Rasa posts the tracker with every event of the conversation on
  every custom action (`EventVerbosity.ALL`): about 7 KB per customer message, 550 KB by the
  80th, serialised by Rasa and parsed by the action server each time. Our actions read slots,
  the latest message, the form in progress (all in the tracker's state) and, of the events,
  nothing before the customer's previous message (actions/steering.py's previous_user_text;
  rasa_sdk's slots_to_validate and latest input channel look back to the latest one). So the
  events sent start at the customer's previous message (ACTION_EVENTS_FROM_USER_MESSAGES back).
- Loading a trained TensorFlow model (DIET's here; TED's too where it has one): `RasaModel.load` fits the empty model on one
  example so its weights get their shapes, then loads the trained weights over them. Keras
  traces the whole training step (losses, the CRF) into a graph for that one step: 78 % of
  Rasa's 30 s start-up (py-spy). Here that step runs eagerly (same weights built, then
  overwritten by the same file); the model is then compiled as Rasa compiles it, so its
  predictions run in the graph Rasa traces, from the same weights. Fine-tuning keeps Rasa's.
- Loading a tracker from the SQL tracker store: Rasa reads each stored event as an ORM object
  (seven columns, identity map) only to take its `data`; building those objects was 85 % of
  the load. The same query (same rows, same order, same session rule) reads `data` alone.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

import rasa
import tensorflow as tf
from jsonschema import ValidationError, Validator, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.models import RasaModel

from bot.channels import turn_state

# Rasa's own, kept before apply() replaces them (the tests compare each with ours).
UPSTREAM_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
UPSTREAM_SAVE_TRACKER = MessageProcessor.save_tracker
UPSTREAM_RESOLVE_EVENT = Event.resolve_by_type
UPSTREAM_ACTION_CALL_FORMAT = RemoteAction._action_call_format
UPSTREAM_RETRIEVE_FROM_SQL = SQLTrackerStore._retrieve
UPSTREAM_LOAD_TF_MODEL = RasaModel.load.__func__  # type: ignore[attr-defined]
_APPLIED = False
_EVENT_CLASSES: dict[str, type[Event]] = {}
# The action server sees the events from this many customer messages back (the latest one is 1).
ACTION_EVENTS_FROM_USER_MESSAGES = 2


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


async def save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
    """Rasa's save, then the summary for the channel (after: only a saved turn is told)."""
    await UPSTREAM_SAVE_TRACKER(self, tracker)
    turn_state.saved(tracker)


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's answer for `type_name`, remembered once it names a class."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = UPSTREAM_RESOLVE_EVENT(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


def recent_events(tracker: DialogueStateTracker, user_messages: int = ACTION_EVENTS_FROM_USER_MESSAGES
                  ) -> list[Event]:
    """The tracker's events from its `user_messages`-th latest customer message on (all if fewer)."""
    events = list(tracker.events)
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == user_messages:
                return events[index:]
    return events


def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
    """Rasa's request to the action server, with the recent events only (the state is whole)."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in recent_events(tracker)]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


async def retrieve_from_sql(self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
                            ) -> DialogueStateTracker | None:
    """SQLTrackerStore._retrieve, reading the events' `data` column without ORM objects."""
    with self.session_scope() as session:
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
        events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data).all()]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def load_tf_model(cls: type[RasaModel], model_file_name: str, model_data_example: Any,
                  predict_data_example: Any = None, finetune_mode: bool = False, *args: Any, **kwargs: Any
                  ) -> RasaModel:
    """RasaModel.load, the one step that builds the weights run eagerly instead of traced."""
    if finetune_mode:  # the optimizer's state matters for further training: Rasa's own way
        return UPSTREAM_LOAD_TF_MODEL(cls, model_file_name, model_data_example, predict_data_example,
                                      finetune_mode, *args, **kwargs)
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    learning_rate = config.get(LEARNING_RATE, 0.001)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.load_weights(model_file_name)
    # As Rasa compiles it, so predictions take the traced graph (RUN_EAGERLY as configured).
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=config.get(RUN_EAGERLY))
    if predict_data_example:
        model.run_inference(predict_data_example)
    return model


def apply() -> None:
    """Install the changes; calling it again does nothing."""
    global _APPLIED
    if _APPLIED:
        return
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    MessageProcessor.save_tracker = save_tracker  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign, assignment]
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = retrieve_from_sql  # type: ignore[method-assign]
    RasaModel.load = classmethod(load_tf_model)  # type: ignore[method-assign, assignment]
    _APPLIED = True
