"""Rasa entity extractor for account_no (户号), phone and ticket_id; rules in glossary.identifiers.

Conflict resolution with DIET (or any other extractor earlier in the pipeline):
for these three entity types the rules are the authority. Every account_no/phone/
ticket_id from another extractor is dropped: a number the rules do not accept (a
9-digit typo, "3乘以7") is not a 户号, and on the held-out set DIET's extra guesses
were all wrong. Another type is dropped when it lies within one of our spans ("五六"
of a spoken phone number tagged as a date); an `address` that contains a number we
found is kept.

Our entities carry the normalised value, this extractor's name and confidence 1.0, so
slots receive "3301234567890", not "3301 2345 67890".
"""
from __future__ import annotations

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

from glossary.identifiers import ACCOUNT_NO, PHONE, TICKET_ID, Identifier, find_identifiers

RULE_TYPES = frozenset({ACCOUNT_NO, PHONE, TICKET_ID})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class IdentifierExtractor(GraphComponent, EntityExtractorMixin):
    """Finds 户号, phone numbers and ticket numbers by rule, including spoken digits."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IdentifierExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            ours = [self._entity(found) for found in find_identifiers(text)]
            others = [e for e in message.get(ENTITIES, []) if e.get(EXTRACTOR) != self.name]
            kept = [e for e in others if e[ENTITY_ATTRIBUTE_TYPE] not in RULE_TYPES
                    and not any(_inside(e, mine) for mine in ours)]
            merged = sorted(kept + ours, key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]))
            message.set(ENTITIES, merged, add_to_output=True)
        return messages

    def _entity(self, found: Identifier) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: found.entity,
            ENTITY_ATTRIBUTE_START: found.start,
            ENTITY_ATTRIBUTE_END: found.end,
            ENTITY_ATTRIBUTE_VALUE: found.value,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            EXTRACTOR: self.name,
        }


def _inside(other: dict[str, Any], mine: dict[str, Any]) -> bool:
    return (mine[ENTITY_ATTRIBUTE_START] <= other[ENTITY_ATTRIBUTE_START]
            and other[ENTITY_ATTRIBUTE_END] <= mine[ENTITY_ATTRIBUTE_END])
