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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START

from bot.nlu.rule_extractor import Found, RuleEntityExtractor
from glossary.identifiers import ACCOUNT_NO, PHONE, TICKET_ID, find_identifiers


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class IdentifierExtractor(RuleEntityExtractor):
    """Finds 户号, phone numbers and ticket numbers by rule, including spoken digits."""

    owned = frozenset({ACCOUNT_NO, PHONE, TICKET_ID})

    def find(self, text: str) -> list[Found]:
        return [Found(i.entity, i.start, i.end, i.value) for i in find_identifiers(text)]

    def displaces(self, other: dict[str, Any], ours: list[dict[str, Any]]) -> bool:
        # "五六" of a spoken phone number tagged as a date gives way to the phone.
        return any(mine[ENTITY_ATTRIBUTE_START] <= other[ENTITY_ATTRIBUTE_START]
                   and other[ENTITY_ATTRIBUTE_END] <= mine[ENTITY_ATTRIBUTE_END] for mine in ours)
