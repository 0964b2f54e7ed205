"""`python -m scripts.cv_intent_models`: compare scikit-learn intent classifiers in seconds.

Same stratified folds of data/nlu/ as scripts/cv_nlu.py (same --folds and --seed), same
normalised text, same scoring (an answer below the fallback threshold counts as wrong).
Only the intent; it never reads the test set. `--dev` also scores each model trained on
all of data/nlu/ on the development set (tests/nlu/dev/).
Used to choose the intent classifier of bot/nlu/intent_ensemble.py (reports/nlu_tuning.md).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import numpy as np  # noqa: E402

from scripts.cv_nlu import folds  # noqa: E402
from scripts.eval_nlu import DEV, TRAINING, load_examples  # noqa: E402


def normalised(texts):
    from bot.nlu.text_normalisation import normalise

    return [normalise(t).text.lower() for t in texts]


def make(name: str):
    from bot.nlu.intent_ensemble import build_model

    kind, _, params = name.partition(":")
    kwargs = {}
    for part in filter(None, params.split(",")):
        key, _, value = part.partition("=")
        kwargs[key] = float(value) if "." in value or key == "c" else int(value)
    return build_model(kind, **kwargs)


def accuracy(gold, proba, classes, threshold: float, ambiguity: float = 0.05) -> float:
    order = np.argsort(-proba, axis=1)
    top = proba[np.arange(len(proba)), order[:, 0]]
    second = proba[np.arange(len(proba)), order[:, 1]]
    predicted = np.array(classes)[order[:, 0]]
    fallback = (top < threshold) | (top - second < ambiguity)
    return float(np.mean((predicted == np.array(gold)) & ~fallback))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+", help="kind[:key=value,...] of bot.nlu.intent_ensemble.build_model")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=95598)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.3])
    parser.add_argument("--ambiguity", type=float, default=0.05, help="FallbackClassifier ambiguity_threshold")
    parser.add_argument("--dev", action="store_true")
    parser.add_argument("--data", default=str(TRAINING))
    args = parser.parse_args()

    train = load_examples([__import__("pathlib").Path(args.data)])
    texts, intents = normalised([g.text for g in train]), [g.intent for g in train]
    splits = folds(intents, args.folds, args.seed)
    dev = load_examples([DEV]) if args.dev else []
    dev_texts, dev_intents = normalised([g.text for g in dev]), [g.intent for g in dev]
    print(f"{len(texts)} training sentences, {args.folds} folds; thresholds {args.thresholds} "
          f"(ambiguity {args.ambiguity} when threshold > 0)")
    for name in args.models:
        started = time.time()
        per_t = {t: [] for t in args.thresholds}
        for tr, te in splits:
            model = make(name).fit([texts[i] for i in tr], [intents[i] for i in tr])
            proba = model.predict_proba([texts[i] for i in te])
            for t in args.thresholds:
                per_t[t].append(accuracy([intents[i] for i in te], proba, list(model.classes_), t,
                                         args.ambiguity if t > 0 else 0.0))
        cells = "  ".join(f"t={t:g}: {np.mean(v):.4f}±{np.std(v):.3f}" for t, v in per_t.items())
        line = f"{name:<40} CV {cells}"
        if dev:
            model = make(name).fit(texts, intents)
            proba = model.predict_proba(dev_texts)
            line += "  | dev " + "  ".join(
                f"t={t:g}: {accuracy(dev_intents, proba, list(model.classes_), t, args.ambiguity if t > 0 else 0.0):.4f}"
                for t in args.thresholds)
        print(f"{line}  ({time.time() - started:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
