"""Rasa component turning `date` entities into ISO dates (YYYY-MM-DD, Asia/Shanghai).

Thin wrapper over chinese_dates, which holds the rules and documents their semantics.
- A `date` entity from another extractor (DIET) gets value = the ISO date of the first
  expression resolvable inside its span, and this component in its `processors`. If
  nothing in the span resolves (DIET tagged "下个月" or "那天"), the entity is left as it
  was: consumers treat a value that is not YYYY-MM-DD as unresolved and ask again.
- Expressions DIET missed are added as new `date` entities (extractor = this component,
  confidence 1.0), unless they overlap an entity already on the message: a 28号 inside a
  DIET `address` is a house number, and the digits of a phone are not a date.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
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

from bot.nlu import chinese_dates

DATE = "date"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DateResolver(GraphComponent, EntityExtractorMixin):
    """Resolves and finds Chinese date expressions; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], date] | None = None) -> None:
        # Looked up per instance (not as a default argument) so tests can patch the module.
        self._clock = clock or chinese_dates.today_in_shanghai

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DateResolver:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        today = self._clock()  # once per batch: one message never straddles midnight
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                entities = self._entities(text, message.get(ENTITIES, []), today)
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _entities(self, text: str, entities: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
        result = [self._resolved(text, e, today) if e[ENTITY_ATTRIBUTE_TYPE] == DATE else e for e in entities]
        for start, end, _ in chinese_dates.find(text):
            resolved = chinese_dates.resolve(text[start:end], today)
            if resolved is None or any(_overlaps(e, start, end) for e in result):
                continue
            result.append({
                ENTITY_ATTRIBUTE_TYPE: DATE,
                ENTITY_ATTRIBUTE_START: start,
                ENTITY_ATTRIBUTE_END: end,
                ENTITY_ATTRIBUTE_VALUE: resolved.isoformat(),
                ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
                EXTRACTOR: self.name,
            })
        return sorted(result, key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]))

    def _resolved(self, text: str, entity: dict[str, Any], today: date) -> dict[str, Any]:
        if entity.get(EXTRACTOR) == self.name:
            return entity
        span = text[entity[ENTITY_ATTRIBUTE_START]:entity[ENTITY_ATTRIBUTE_END]]
        resolved = chinese_dates.resolve(span, today)
        if resolved is None:
            return entity
        updated = {**entity, ENTITY_ATTRIBUTE_VALUE: resolved.isoformat()}
        if "processors" in updated:  # copy: the original entity's list is not ours to extend
            updated["processors"] = list(updated["processors"])
        return self.add_processor_name(updated)


def _overlaps(entity: dict[str, Any], start: int, end: int) -> bool:
    return entity[ENTITY_ATTRIBUTE_START] < end and start < entity[ENTITY_ATTRIBUTE_END]
