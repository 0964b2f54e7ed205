"""`make cv` / `python -m scripts.cv_nlu --config FILE --folds 5`: choose NLU settings on training data only.

Stratified k-fold cross-validation over data/nlu/ (never the dev or test set): each
fold trains the NLU of FILE on the other folds (rasa.model_training.train_nlu) and
parses the held-out fold with the full pipeline, scored exactly like `make eval`
(intent accuracy, macro-F1, entity micro-F1; an `nlu_fallback` answer is wrong). The
baseline of scripts/eval_nlu.py (character n-gram logistic regression) is scored on
the same folds, so pipeline and baseline are comparable on training data.

Results are merged into reports/nlu_cv.json, keyed by config file and content hash
(an edited config gets a new entry), and summarised in reports/nlu_cv.md. Compare
configs with the same --folds and --seed. Five folds train five NLU models: for
config.yml (DIET, 60 epochs) that took 48 minutes on the shared two-core machine,
7.7 to 11.5 minutes a fold; the baseline alone takes seconds. Run it niced (`make cv`
does) and not next to another training.

    python -m scripts.cv_nlu --config config.yml --folds 5
    python -m scripts.cv_nlu --config experiments/lr.yml          # an alternative pipeline
    python -m scripts.cv_nlu --baseline-only --baseline-c 1 10 100  # the baseline alone, seconds
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# Fold models must not fill (or evict) the training cache `make train` relies on.
os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")

from scripts.eval_nlu import BASELINE_C, BASELINE_SEED, REPORTS, TRAINING, Baseline, Gold, predict_pipeline, score  # noqa: E402

CV_JSON = REPORTS / "nlu_cv.json"
CV_MD = REPORTS / "nlu_cv.md"


def config_id(config: Path) -> str:
    path = config.resolve()
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return f"{name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:8]}"


def baseline_key(c: float) -> str:
    return f"baseline (char 1-3-gram logistic regression, C={c:g})"


def folds(intents: list[str], k: int, seed: int) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(list(train), list(test)) for train, test in splitter.split(intents, intents)]


def _gold(message) -> Gold:  # noqa: ANN001 - a rasa Message
    return Gold(message.get("text"), message.get("intent"), tuple(message.get("entities", [])))


def _summary(runs: list[dict], key: str) -> dict | None:
    values = [r[key] for r in runs if key in r]
    if not values:
        return None
    return {"mean": round(statistics.mean(values), 4), "sd": round(statistics.pstdev(values), 4),
            "per_fold": values}


def _entry(runs: list[dict], k: int, seed: int, started: float, **extra: object) -> dict:
    return {
        **extra, "folds": k, "seed": seed,
        "intent_accuracy": _summary(runs, "intent_accuracy"),
        "intent_macro_f1": _summary(runs, "intent_macro_f1"),
        "entity_micro_f1": _summary(runs, "entity_micro_f1"),
        "minutes": round((time.time() - started) / 60, 1),
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def cross_validate_baseline(messages: list, splits: list, seed: int, c: float = BASELINE_C) -> dict:
    started, runs = time.time(), []
    for train, test in splits:
        model = Baseline(c=c, seed=BASELINE_SEED).fit([_gold(messages[i]) for i in train])
        gold = [_gold(messages[i]) for i in test]
        runs.append(score(gold, model.predict([g.text for g in gold]), with_entities=False))
    return _entry(runs, len(splits), seed, started, system=f"baseline C={c:g}")


def cross_validate_pipeline(config: Path, training, splits: list, seed: int) -> dict:  # noqa: ANN001
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = training.intent_examples
    started, runs = time.time(), []
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
        # Every fold trains the config as it was at the start, even if the file is edited
        # meanwhile (paths inside it are relative to the working directory, not to the file).
        snapshot = Path(tmp) / "config.yml"
        snapshot.write_bytes(config.read_bytes())
        config = snapshot
        for n, (train, test) in enumerate(splits, start=1):
            fold_started = time.time()
            # Synonyms come back from the fold's own annotations ([过户]{"value": ...}),
            # so a held-out sentence contributes none; regexes and lookups are not sentences.
            fold = TrainingData(training_examples=[messages[i] for i in train],
                                regex_features=training.regex_features, lookup_tables=training.lookup_tables)
            data = Path(tmp) / f"fold{n}.yml"
            RasaYAMLWriter().dump(data, fold)
            model = train_nlu(str(config), str(data), str(Path(tmp) / "models"), fixed_model_name=f"fold{n}")
            if not model:
                raise SystemExit(f"fold {n}: training failed")
            gold = [_gold(messages[i]) for i in test]
            result = score(gold, predict_pipeline(Path(model), [g.text for g in gold]))
            runs.append(result)
            Path(model).unlink(missing_ok=True)
            print(f"fold {n}/{len(splits)}: intent accuracy {result['intent_accuracy']:.3f}, macro-F1 "
                  f"{result['intent_macro_f1']:.3f}, entity micro-F1 {result['entity_micro_f1']:.3f} "
                  f"({(time.time() - fold_started) / 60:.1f} min)", flush=True)
    return _entry(runs, len(splits), seed, started, system="pipeline")


def _save(entries: dict[str, dict]) -> dict:
    REPORTS.mkdir(exist_ok=True)
    saved = json.loads(CV_JSON.read_text(encoding="utf-8")) if CV_JSON.exists() else {}
    saved.update(entries)
    CV_JSON.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["# NLU cross-validation on the training data (data/nlu/ only)", "",
             "Written by `python -m scripts.cv_nlu`; one row per config (file@content hash) or baseline setting. "
             "Mean over folds ± standard deviation; compare rows with the same folds and seed.", "",
             "| entry | folds | seed | training sentences | intent accuracy | macro-F1 | entity micro-F1 | minutes "
             "| measured |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key, e in saved.items():
        def cell(name: str, e: dict = e) -> str:
            s = e.get(name)
            return f"{s['mean']:.3f} ± {s['sd']:.3f}" if s else "–"
        lines.append(f"| {key} | {e['folds']} | {e['seed']} | {e.get('training_examples', '')} | "
                     f"{cell('intent_accuracy')} | {cell('intent_macro_f1')} | {cell('entity_micro_f1')} | "
                     f"{e['minutes']} | {e['measured']} |")
    CV_MD.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=95598)
    parser.add_argument("--data", type=Path, default=TRAINING)
    parser.add_argument("--baseline-only", action="store_true", help="skip the pipeline (seconds instead of minutes)")
    parser.add_argument("--baseline-c", type=float, nargs="+", default=[BASELINE_C],
                        help="baseline regularisation values to cross-validate")
    args = parser.parse_args()

    from rasa.shared.nlu.training_data.loading import load_data

    training = load_data(str(args.data))
    messages = training.intent_examples
    splits = folds([m.get("intent") for m in messages], args.folds, args.seed)
    entries = {}
    for c in args.baseline_c:
        entry = cross_validate_baseline(messages, splits, args.seed, c)
        entry["training_examples"] = len(messages)
        entries[baseline_key(c)] = entry
        print(f"baseline C={c:g}: intent accuracy {entry['intent_accuracy']['mean']:.3f}, "
              f"macro-F1 {entry['intent_macro_f1']['mean']:.3f}", flush=True)
    if not args.baseline_only:
        key = config_id(args.config)  # the content as it was when training started
        entry = cross_validate_pipeline(args.config, training, splits, args.seed)
        entry["training_examples"] = len(messages)
        entries[key] = entry
        print(f"{key}: intent accuracy {entry['intent_accuracy']['mean']:.3f} ± "
              f"{entry['intent_accuracy']['sd']:.3f}, macro-F1 {entry['intent_macro_f1']['mean']:.3f}, "
              f"entity micro-F1 {entry['entity_micro_f1']['mean']:.3f} ({entry['minutes']} min)", flush=True)
    _save(entries)
    print(CV_MD.read_text(encoding="utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
