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

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.hazards import detect_hazards
from bot.nlu.rule_extractor import Found, RuleEntityExtractor

HAZARD = "hazard"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class HazardDetector(RuleEntityExtractor):
    """Sparks, smoke, fire, fallen or broken wires, shock, trapped lift, flooding, explosion, pole down."""

    owned = frozenset({HAZARD})

    def find(self, text: str) -> list[Found]:
        return [Found(HAZARD, h.start, h.end, h.kind) for h in detect_hazards(text)]
