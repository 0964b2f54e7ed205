"""What our rule-based entity extractors share: they need no training, their
entities carry confidence 1.0 and their own name, and for the entity types they
own they are the one authority — what an earlier extractor (DIET) said about
those types is replaced. Subclasses say what they find and which other entities
their spans displace.
"""
from __future__ import annotations

from abc import abstractmethod
from typing import Any, NamedTuple

from rasa.engine.graph import ExecutionContext, GraphComponent
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


class Found(NamedTuple):
    entity: str
    start: int
    end: int
    value: str


class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Base of the extractors whose rules are the authority for their entity types."""

    owned: frozenset[str] = frozenset()  # entity types only these rules may produce

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> RuleEntityExtractor:
        return cls()

    @abstractmethod
    def find(self, text: str) -> list[Found]:
        """The entities the rules see in `text`."""

    def displaces(self, other: dict[str, Any], ours: list[dict[str, Any]]) -> bool:
        """Whether another extractor's entity gives way to ours (beyond the owned types)."""
        return False

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            # "/intent{...}" payloads from buttons are machine-written: left alone.
            if not isinstance(text, str) or text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            ours = [self._entity(found) for found in self.find(text)]
            kept = [e for e in message.get(ENTITIES, [])
                    if e.get(EXTRACTOR) != self.name and e.get(ENTITY_ATTRIBUTE_TYPE) not in self.owned
                    and not self.displaces(e, ours)]
            merged = sorted(kept + ours, key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]))
            message.set(ENTITIES, merged, add_to_output=True)
        return messages

    def _entity(self, found: Found) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: found.entity,
            ENTITY_ATTRIBUTE_START: found.start,
            ENTITY_ATTRIBUTE_END: found.end,
            ENTITY_ATTRIBUTE_VALUE: found.value,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            EXTRACTOR: self.name,
        }
