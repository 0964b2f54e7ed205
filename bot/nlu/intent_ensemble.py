"""Rasa component: a character/word n-gram logistic regression for the intent.

Chosen by cross-validation on data/nlu/ (scripts/cv_intent_models.py, reports/nlu_tuning.md).
It trains on the same (normalised) training sentences as DIET inside the pipeline, so the
model stays self-contained. With `diet_weight` 0 it replaces DIET's intent; otherwise the
two rankings are averaged. DIET still provides the entities.
"""
from __future__ import annotations

import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

JIEBA_DIR = Path(__file__).with_name("jieba")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    tokenizer = jieba.Tokenizer()
    for path in sorted(JIEBA_DIR.glob("*")):
        if path.is_file():
            tokenizer.load_userdict(str(path))
    return tokenizer


def words(text: str) -> list[str]:
    """Jieba words (with the project dictionary) of an already normalised text."""
    return [w for w in _jieba().lcut(text) if w.strip()]


def build_model(kind: str = "union", lo: int = 1, hi: int = 4, c: float = 30.0, wc: int = 1,
                wb: int = 0, seed: int = 95598):
    """kind: `char` (character lo-hi-grams) or `union` (those plus jieba word 1-2-grams
    when wc=1); `wb` 1 uses char_wb. One TF-IDF per view, one logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    char = TfidfVectorizer(analyzer="char_wb" if wb else "char", ngram_range=(lo, hi), sublinear_tf=True,
                           lowercase=True)
    if kind == "char":
        features = char
    elif kind == "union":
        views = [("char", char)]
        if wc:
            views.append(("word", TfidfVectorizer(analyzer=_word_ngrams, sublinear_tf=True, lowercase=False)))
        features = FeatureUnion(views)
    elif kind == "vote":
        # Soft vote: characters lo-hi, characters 1-hi+1 and jieba words, one regression each.
        from sklearn.ensemble import VotingClassifier

        def lr():
            return LogisticRegression(C=c, solver="saga", max_iter=5000, random_state=seed)

        members = [
            ("char", make_pipeline(char, lr())),
            ("char_long", make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, hi + 1), sublinear_tf=True),
                                        lr())),
            ("word", make_pipeline(TfidfVectorizer(analyzer=_word_ngrams, sublinear_tf=True, lowercase=False), lr())),
        ]
        return VotingClassifier(members, voting="soft")
    else:
        raise ValueError(kind)
    return make_pipeline(features, LogisticRegression(C=c, solver="saga", max_iter=5000, random_state=seed))


def _word_ngrams(text: str) -> list[str]:
    tokens = words(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


# --- the Rasa component --------------------------------------------------------------------

from rasa.engine.graph import ExecutionContext, GraphComponent  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.engine.storage.storage import ModelStorage  # noqa: E402
from rasa.nlu.classifiers.classifier import IntentClassifier  # noqa: E402
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

INTENT_RANKING = "intent_ranking"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"kind": "char", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 2, "C": 300.0,
                "word_ngrams": False,
                "diet_weight": 0.0, "ranking_length": 10, "random_seed": 95598}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model_storage, self.resource, self.model = model_storage, resource, model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NgramIntentClassifier:
        return cls(config, model_storage, resource)

    def _build(self):
        c = self.config
        return build_model(c["kind"], lo=c["min_ngram"], hi=c["max_ngram"], c=float(c["C"]),
                           wc=int(bool(c["word_ngrams"])), wb=int(c["analyzer"] == "char_wb"),
                           seed=c["random_seed"])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        model = self._build().fit([m.get(TEXT).lower() for m in examples], [m.get(INTENT) for m in examples])
        self.model = model
        with self.model_storage.write_to(self.resource) as directory:
            (Path(directory) / "model.pkl").write_bytes(pickle.dumps(model))
        return self.resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> NgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((Path(directory) / "model.pkl").read_bytes())  # noqa: S301 - our own model
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        texts = [(m.get(TEXT) or "").lower() for m in messages]
        probabilities = self.model.predict_proba(texts)
        classes = [str(c) for c in self.model.classes_]
        weight = float(self.config["diet_weight"])
        for message, proba in zip(messages, probabilities, strict=True):
            if not message.get(TEXT):
                continue
            scores = dict(zip(classes, proba, strict=True))
            if weight > 0:
                diet = {r[INTENT_NAME_KEY]: r[PREDICTED_CONFIDENCE_KEY]
                        for r in message.get(INTENT_RANKING) or []}
                scores = {k: (1 - weight) * v + weight * diet.get(k, 0.0) for k, v in scores.items()}
            ranking = sorted(scores.items(), key=lambda kv: -kv[1])[: int(self.config["ranking_length"])]
            message.set(INTENT, {INTENT_NAME_KEY: ranking[0][0], PREDICTED_CONFIDENCE_KEY: float(ranking[0][1])},
                        add_to_output=True)
            message.set(INTENT_RANKING, [{INTENT_NAME_KEY: k, PREDICTED_CONFIDENCE_KEY: float(v)}
                                         for k, v in ranking], add_to_output=True)
        return messages
