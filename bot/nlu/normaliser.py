"""Rasa component that rewrites message text into its canonical form before tokenizing.

Registered as a MESSAGE_FEATURIZER because the default recipe only runs tokenizers and
featurizers over the training data (`process_training_data`) as well as over incoming
messages; an entity extractor or classifier would only see messages at inference and the
model would be trained on text it never gets to see. Placed first in the pipeline it runs
before JiebaTokenizer in both graphs.

Training examples keep valid entity spans: `text_normalisation` maps every offset, and an
entity whose value was its literal span text gets the normalised span text as value
(a synonym value such as `ownership_transfer` is left alone).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import text_normalisation
from bot.nlu.text_normalisation import Normalised, normalise

# The customer's text as typed, for transcripts; the tracker's UserUttered keeps it too.
ORIGINAL_TEXT = "original_text"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormaliser(GraphComponent):
    """Traditional -> Simplified, full-width -> half-width, whitespace collapsed."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormaliser:
        return cls()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa's training cache fingerprints only this class's source: without this, a
        # change to the rules module or to OpenCC's dictionaries would reuse stale
        # normalised training data from .rasa/cache.
        rules = inspect.getsource(text_normalisation) + importlib.metadata.version("opencc")
        return hashlib.sha256(rules.encode("utf-8")).hexdigest()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            normalise_message(example, add_to_output=False)
        # Synonyms listed by their Traditional spelling must still match normalised text.
        for key, value in list(training_data.entity_synonyms.items()):
            training_data.entity_synonyms.setdefault(normalise(key).text.lower(), value)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            normalise_message(message, add_to_output=True)
        return messages


def normalise_message(message: Message, add_to_output: bool) -> None:
    text = message.get(TEXT)
    # "/intent{...}" payloads from buttons are machine-written: leave them byte-exact.
    if not isinstance(text, str) or text.startswith(INTENT_MESSAGE_PREFIX):
        return
    normalised = normalise(text)
    message.set(ORIGINAL_TEXT, text, add_to_output=add_to_output)
    if normalised.text == text:
        return
    entities = message.get(ENTITIES)
    if entities:
        message.set(ENTITIES, [_moved(entity, text, normalised) for entity in entities])
    message.set(TEXT, normalised.text, add_to_output=add_to_output)


def _moved(entity: dict[str, Any], original: str, normalised: Normalised) -> dict[str, Any]:
    start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
    new_start, new_end = normalised.span(start, end)
    moved = {**entity, ENTITY_ATTRIBUTE_START: new_start, ENTITY_ATTRIBUTE_END: new_end}
    if entity.get(ENTITY_ATTRIBUTE_VALUE) == original[start:end]:
        moved[ENTITY_ATTRIBUTE_VALUE] = normalised.text[new_start:new_end]
    return moved
