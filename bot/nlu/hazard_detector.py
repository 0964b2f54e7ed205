"""Rasa entity extractor adding one `hazard` entity per danger the customer reports.

Runs on every message, whatever the intent, so the assistant can give safety advice
first even in an outage question (停电了，表箱那边还在冒烟，几点能恢复). The rules are
bot.nlu.hazards (lexicon bot/nlu/hazards.yml); this is a thin wrapper.

Entity: {"entity": "hazard", "value": <kind>, "start", "end", "confidence_entity": 1.0,
"extractor": "HazardDetector"}, kinds as in bot.nlu.hazards.KINDS. Spans are those of the
(normalised) message text. Entities of other types are kept untouched; a `hazard` from
another extractor (DIET, should one ever be trained on it) or from an earlier run of this
one is replaced, so the rules are the one authority on hazards. "/intent{...}" payloads
from buttons are machine-written and left alone.

Needs no training: the lexicon is read at run time, so changing it needs no new model.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.hazards import Hazard, detect_hazards

HAZARD = "hazard"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class HazardDetector(GraphComponent, EntityExtractorMixin):
    """Sparks, smoke, fire, fallen or broken wires, shock, trapped lift, flooding, explosion, pole down."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HazardDetector:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            others = [e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != HAZARD]
            ours = [self._entity(found) for found in detect_hazards(text)]
            merged = sorted(others + ours, key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]))
            message.set(ENTITIES, merged, add_to_output=True)
        return messages

    def _entity(self, found: Hazard) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: HAZARD,
            ENTITY_ATTRIBUTE_START: found.start,
            ENTITY_ATTRIBUTE_END: found.end,
            ENTITY_ATTRIBUTE_VALUE: found.kind,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            EXTRACTOR: self.name,
        }
