"""Builds Rasa messages and components the way the predict graph does, without a model."""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message


def create(component_class: type, tmp_path: Any, config: dict[str, Any] | None = None) -> Any:
    return component_class.create(
        {**component_class.get_default_config(), **(config or {})},
        LocalModelStorage(tmp_path),
        Resource(component_class.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )


def message(text: str, entities: list[dict[str, Any]] | None = None) -> Message:
    data: dict[str, Any] = {"text": text}
    if entities is not None:
        data["entities"] = entities
    return Message(data=data)
