"""Rasa entity extractor for account_no (户号), phone and ticket_id; rules in identifier_rules.

Conflict resolution with DIET (or any other extractor earlier in the pipeline):
for these three entity types the rules win. An entity from another extractor is dropped
when it overlaps one of ours and either has one of the three types (DIET read part of a
number, or read a phone as a 户号) or lies within our span (DIET gave the number, or a
piece of it, some other type: "五六" of a spoken phone number tagged as a date). Anything
else is kept: an `address` that contains a number we found, and a DIET
account_no/phone/ticket_id that overlaps nothing of ours (say a 9-digit typo); actions
validate values with backend.identifiers before use.

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

from bot.nlu.identifier_rules import ACCOUNT_NO, PHONE, TICKET_ID, Identifier, find_identifiers

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
            kept = [e for e in others if not any(_beaten_by(e, mine) for mine in ours)]
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


def _beaten_by(other: dict[str, Any], mine: dict[str, Any]) -> bool:
    start, end = other[ENTITY_ATTRIBUTE_START], other[ENTITY_ATTRIBUTE_END]
    overlaps = start < mine[ENTITY_ATTRIBUTE_END] and mine[ENTITY_ATTRIBUTE_START] < end
    inside = mine[ENTITY_ATTRIBUTE_START] <= start and end <= mine[ENTITY_ATTRIBUTE_END]
    return overlaps and (other[ENTITY_ATTRIBUTE_TYPE] in RULE_TYPES or inside)
