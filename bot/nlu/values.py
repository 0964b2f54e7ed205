"""Rasa component giving `rating` and `business_type` entities their canonical value.

The synonym mapper only knows wordings seen in training; "打五颗星" or "过个户"
would reach the actions as raw text. This maps by words (bot/nlu/values.yml)
and drops an entity of these types whose text names no known value, so a slot
never holds something the actions cannot use.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

VALUES_FILE = Path(__file__).with_name("values.yml")


@lru_cache(maxsize=1)
def value_words() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))


def canonical(entity_type: str, text: str) -> str | None:
    table = value_words().get(entity_type, {})
    if text in table:
        return text
    return next((value for value, words in table.items() if any(w in text for w in words)), None)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ValueNormaliser(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ValueNormaliser:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entities = [e for e in (self._normalised(text, e) for e in message.get(ENTITIES, [])) if e]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _normalised(self, text: str, entity: dict[str, Any]) -> dict[str, Any] | None:
        kind = entity[ENTITY_ATTRIBUTE_TYPE]
        if kind not in value_words():
            return entity
        value = str(entity.get(ENTITY_ATTRIBUTE_VALUE) or "")
        if value in value_words()[kind]:
            return entity
        span = text[entity[ENTITY_ATTRIBUTE_START]:entity[ENTITY_ATTRIBUTE_END]]
        found = canonical(kind, value) or canonical(kind, span)
        if found is None:
            return None
        updated = {**entity, ENTITY_ATTRIBUTE_VALUE: found}
        if "processors" in updated:
            updated["processors"] = list(updated["processors"])
        return self.add_processor_name(updated)
