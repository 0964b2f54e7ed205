"""bot/rasa_patches.py loads the TensorFlow models without tracing their training step: the
model it loads is Rasa's own, weight for weight, and understands exactly as Rasa's does,
for sentences the model has not seen. Rasa's way is loaded here once more for the comparison
(about 30 s). This assistant's only TensorFlow model is DIET's: its dialogue is rules and
forms, so TED finds no stories to learn from and Rasa keeps it without a model."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.models import RasaModel

from bot import rasa_patches
from bot.model_cache import ensure_model

# Not training sentences: new places, numbers and phrasings, as customers write them.
SENTENCES = ["请问屏湖村后天会不会停电", "我家楼道里的电线在冒火花", "户号3301987654321上个月电费多少",
             "你们抄表员态度太差了我要投诉", "报修：青溪镇云山村5组整片没电", "怎么办理新装电表",
             "工单GD20261203000017到哪一步了", "谢谢你", "转人工", "电费太贵了是不是表有问题",
             "昨晚十点开始停电到现在还没来", "我想提个建议，停电通知能早点发吗", "嗯", "不是这个地址，是文昌路88号",
             "13957112345"]


@pytest.fixture(scope="module")
def rasas_own() -> Agent:
    """The same model loaded the way Rasa 3.6.21 loads it."""
    patched = RasaModel.__dict__["load"]  # the classmethod itself: RasaModel.load is bound to RasaModel
    RasaModel.load = classmethod(rasa_patches.UPSTREAM_LOAD_TF_MODEL)  # type: ignore[method-assign, assignment]
    try:
        return Agent.load(str(ensure_model()))
    finally:
        RasaModel.load = patched  # type: ignore[method-assign]


def tf_components(agent: Agent) -> dict[str, object]:
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[attr-defined]
    return {name: node._component for name, node in nodes.items()
            if isinstance(getattr(node._component, "model", None), RasaModel)}


def test_the_patch_is_what_loads_the_models(rasas_own):
    rasa_patches.apply()
    # Also after Rasa's own was loaded for the comparison: every model class loads through the patch.
    assert RasaModel.__dict__["load"].__func__ is rasa_patches.load_tf_model
    assert DIET.load.__self__ is DIET  # type: ignore[attr-defined]


def test_every_weight_of_every_model_is_rasas(loaded_agent, rasas_own):
    ours, theirs = tf_components(loaded_agent), tf_components(rasas_own)
    assert {type(c).__name__ for c in ours.values()} == {"DIETClassifier"}
    assert ours.keys() == theirs.keys()
    for name, component in ours.items():
        mine, upstream = component.model.get_weights(), theirs[name].model.get_weights()  # type: ignore[attr-defined]
        assert len(mine) == len(upstream) and all(np.array_equal(a, b) for a, b in zip(mine, upstream, strict=True)), name


async def test_unseen_sentences_are_understood_exactly_as_rasa_understands_them(loaded_agent, rasas_own):
    for text in SENTENCES:
        assert await loaded_agent.parse_message(text) == await rasas_own.parse_message(text), text
