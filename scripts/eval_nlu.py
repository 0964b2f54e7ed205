"""`make eval`: the NLU measured on the development and the test set, against a simple baseline.

Sets (Rasa NLU YAML, never trained on; scripts/nlu_overlap.py keeps data/nlu from
repeating them, tests/test_nlu_data.py enforces it):
- dev: tests/nlu/dev/, used to choose pipeline settings, so its figures are tuned: a
  development figure, not a test figure. Reported whole and per part: heldout_*.yml (the
  former held-out set) and hard.yml (hard sentences written to choose settings for them).
- test: tests/nlu/test/ordinary.yml and tests/nlu/test/hard.yml, written fresh and
  never used to choose anything. Reported whole and per part.

Two systems, trained on exactly the same data (data/nlu/):
- pipeline: the assistant's trained model (bot.model_cache.ensure_model(), or a model
  path given on the command line), as the assistant really sees it: every component,
  including the FallbackClassifier (an `nlu_fallback` answer counts as wrong), and
  entities compared after all extractors ran.
- baseline: character 1-3-gram TF-IDF + logistic regression (scikit-learn) on text
  normalised like the pipeline's (bot.nlu.text_normalisation.normalise), fixed seed.
  Intents only: it extracts no entities.

Writes reports/nlu_eval.json and reports/nlu_eval.md: intent accuracy, macro-F1 and
per-intent F1 for both; entity micro-F1 and per-entity F1 for the pipeline; the worst
confusions; and, when `make cv` has been run, its cross-validation figures on the
training data (reports/nlu_cv.json).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

TRAINING = ROOT / "data" / "nlu"
DEV = ROOT / "tests" / "nlu" / "dev"
TEST = ROOT / "tests" / "nlu" / "test"
# Name -> files; "test" is the union of its parts.
SETS: dict[str, tuple[Path, ...]] = {
    "dev": (DEV,),
    "dev/heldout": tuple(sorted(DEV.glob("heldout_*.yml"))),
    "dev/hard": (DEV / "hard.yml",),
    "test": (TEST / "ordinary.yml", TEST / "hard.yml"),
    "test/ordinary": (TEST / "ordinary.yml",),
    "test/hard": (TEST / "hard.yml",),
}
REPORTS = ROOT / "reports"

# The entity types the dev and test sets annotate (shared/contract/intents.md). Other
# types the pipeline may emit (e.g. a hazard entity) are not annotated there, so
# they are not scored.
SCORED_ENTITIES = ("account_no", "phone", "ticket_id", "date", "area", "address", "business_type", "rating")
# Entities whose meaning is their normalised value (synonyms), not the words used.
VALUE_ENTITIES = ("business_type", "rating")
IDENTIFIERS = ("account_no", "phone", "ticket_id")

# Baseline settings. C was chosen by 5-fold cross-validation on data/nlu alone, never
# on dev or test (`python -m scripts.cv_nlu --baseline-only --baseline-c 1 10 30 100 300`:
# accuracy 0.817, 0.876, 0.880, 0.881, 0.882, sd ~0.011): the smallest C within one
# standard error of the best. saga reaches lbfgs's optimum (same figures) ten times faster.
BASELINE_NGRAMS = (1, 3)
BASELINE_C = 30.0
BASELINE_SEED = 95598


@dataclass(frozen=True)
class Gold:
    text: str
    intent: str
    entities: tuple[dict, ...] = ()


@dataclass
class Prediction:
    intent: str
    entities: list[dict] = field(default_factory=list)
    text: str = ""  # the text the entity offsets refer to


def load_examples(paths: Iterable[Path]) -> list[Gold]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        for message in load_data(str(path)).training_examples:
            examples.append(Gold(message.get("text"), message.get("intent"), tuple(message.get("entities", []))))
    return examples


# --- scoring -------------------------------------------------------------------------


def _key(text: str) -> str:
    """Entity text compared without spaces, dashes and case (户号 typed with spaces is the same 户号)."""
    from bot.nlu.text_normalisation import normalise

    return re.sub(r"[\s\-]", "", normalise(text).text).upper()


def _entity_key(entity: dict, text: str) -> tuple[str, str]:
    if entity["entity"] in VALUE_ENTITIES:
        return entity["entity"], str(entity.get("value"))
    return entity["entity"], _key(text[entity["start"]:entity["end"]])


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def score(gold: Sequence[Gold], predicted: Sequence[Prediction], with_entities: bool = True) -> dict:
    """Intent accuracy, macro-F1 (over the gold intents), per-intent figures, entity
    micro-F1 and per-entity figures (entities of SCORED_ENTITIES compared per sentence as
    multisets of (type, text), or (type, value) for VALUE_ENTITIES), the worst confusions
    and every error."""
    intents = [(g.intent, p.intent, g.text) for g, p in zip(gold, predicted, strict=True)]
    entity_counts: dict[str, Counter] = defaultdict(Counter)
    if with_entities:
        for g, p in zip(gold, predicted, strict=True):
            expected = Counter(_entity_key(e, g.text) for e in g.entities if e["entity"] in SCORED_ENTITIES)
            got = Counter(_entity_key(e, p.text or g.text) for e in p.entities if e["entity"] in SCORED_ENTITIES)
            for entity in {k[0] for k in expected} | {k[0] for k in got}:
                exp = Counter({k: v for k, v in expected.items() if k[0] == entity})
                pred = Counter({k: v for k, v in got.items() if k[0] == entity})
                matched = sum((exp & pred).values())
                entity_counts[entity]["tp"] += matched
                entity_counts[entity]["fp"] += sum(pred.values()) - matched
                entity_counts[entity]["fn"] += sum(exp.values()) - matched
    return report(intents, entity_counts if with_entities else None)


def report(intents: list[tuple[str, str, str]], entity_counts: dict[str, Counter] | None) -> dict:
    labels = sorted({g for g, _, _ in intents})
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p, _ in intents if g == p == label)
        fp = sum(1 for g, p, _ in intents if p == label and g != label)
        fn = sum(1 for g, p, _ in intents if g == label and p != label)
        precision, recall, f1 = _f1(tp, fp, fn)
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                             "support": tp + fn}
    confusions = Counter((g, p) for g, p, _ in intents if g != p)
    result = {
        "examples": len(intents),
        "intent_accuracy": round(sum(1 for g, p, _ in intents if g == p) / len(intents), 4),
        "intent_macro_f1": round(sum(v["f1"] for v in per_intent.values()) / len(per_intent), 4),
        "fallbacks": sum(1 for _, p, _ in intents if p == "nlu_fallback"),
        "intents": per_intent,
        "worst_confusions": [{"intent": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(10)],
        "errors": [{"text": t, "intent": g, "predicted": p} for g, p, t in intents if g != p],
    }
    if entity_counts is not None:
        entities, total = {}, Counter()
        for entity, c in sorted(entity_counts.items()):
            precision, recall, f1 = _f1(c["tp"], c["fp"], c["fn"])
            entities[entity] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                                "support": c["tp"] + c["fn"]}
            total.update(c)
        result["entity_micro_f1"] = round(_f1(total["tp"], total["fp"], total["fn"])[2], 4)
        result["entities"] = entities
    return result


# --- the two systems --------------------------------------------------------------------


async def _parse_all(model: Path, texts: Sequence[str]) -> list[Prediction]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message
    agent = Agent.load(str(model))
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        out.append(Prediction(parsed["intent"]["name"], parsed["entities"], parsed["text"]))
    return out


def predict_pipeline(model: Path, texts: Sequence[str]) -> list[Prediction]:
    return asyncio.run(_parse_all(model, texts))


async def evaluate(model: Path, *paths: Path) -> dict:
    """The pipeline's figures on the examples of `paths` (tests: a floor on dev and test)."""
    gold = load_examples(paths)
    predicted = await _parse_all(model, [g.text for g in gold])
    return score(gold, predicted)


async def evaluate_sets(model: Path, names: Sequence[str] = tuple(SETS)) -> dict[str, dict]:
    """The pipeline's figures on several named SETS, each distinct sentence parsed once."""
    gold_by_set = {name: load_examples(SETS[name]) for name in names}
    texts = sorted({g.text for gold in gold_by_set.values() for g in gold})
    parsed = dict(zip(texts, await _parse_all(model, texts), strict=True))
    return {name: score(gold, [parsed[g.text] for g in gold]) for name, gold in gold_by_set.items()}


class Baseline:
    """Character n-gram logistic regression on normalised text: the simple peer."""

    def __init__(self, c: float = BASELINE_C, seed: int = BASELINE_SEED) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=BASELINE_NGRAMS, sublinear_tf=True, lowercase=True),
            LogisticRegression(C=c, solver="saga", max_iter=5000, random_state=seed),
        )

    @staticmethod
    def _normalise(texts: Iterable[str]) -> list[str]:
        from bot.nlu.text_normalisation import normalise

        return [normalise(t).text for t in texts]

    def fit(self, examples: Sequence[Gold]) -> Baseline:
        self.model.fit(self._normalise(e.text for e in examples), [e.intent for e in examples])
        return self

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(str(p)) for p in self.model.predict(self._normalise(texts))]


# --- the report ------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def markdown(results: dict) -> str:
    pipe, base = results["pipeline"], results["baseline"]
    names = list(SETS)
    lines = [
        "# NLU evaluation: development and test sets, pipeline against a baseline", "",
        f"Model: `{results['model']}`; training data: {results['training_examples']} sentences of data/nlu/ "
        "(both systems are trained on exactly these).", "",
        "- **dev** (tests/nlu/dev/): used to choose pipeline settings, so its figures are tuned. *heldout*: the "
        "former held-out set (DIET size, epochs, fallback threshold were chosen on it); *hard*: hard sentences "
        "of the same kinds as the test set's, written without reading it, to choose settings for them.",
        "- **test** (tests/nlu/test/): written fresh, never trained or tuned on; *ordinary* plain sentences "
        "and *hard* ones (long and rambling, IVR text without punctuation, homophone typos, dialect, "
        "Traditional script, out-of-scope, rough requests for a human, sentences between two intents).",
        "- **pipeline**: config.yml as the assistant runs it; an `nlu_fallback` answer counts as wrong.",
        f"- **baseline**: character {BASELINE_NGRAMS[0]}-{BASELINE_NGRAMS[1]}-gram TF-IDF + logistic regression "
        f"(C={BASELINE_C:g}, chosen by cross-validation on data/nlu) on normalised text; intents only.",
        "- **entities** are scored per sentence as (type, text) — (type, value) for rating and business_type — "
        "over the contract's types only. A `date` is annotated where it is information for the request (the "
        "day of an outage, a fault, a payment), as in the dev set: the DateResolver tags every date expression, "
        "so an incidental 今天 (今天油价涨了没) counts as a false positive.", "",
        "| set | examples | pipeline accuracy | pipeline macro-F1 | pipeline entity micro-F1 | "
        "baseline accuracy | baseline macro-F1 | accuracy, pipeline − baseline | fallbacks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        p, b = pipe[name], base[name]
        lines.append(f"| {name} | {p['examples']} | **{p['intent_accuracy']:.3f}** | {p['intent_macro_f1']:.3f} | "
                     f"{p['entity_micro_f1']:.3f} | {b['intent_accuracy']:.3f} | {b['intent_macro_f1']:.3f} | "
                     f"{p['intent_accuracy'] - b['intent_accuracy']:+.3f} | {p['fallbacks']} |")
    lines += ["", "## Entities (pipeline): F1 (support)", "",
              "| entity | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    entities = sorted({e for name in names for e in pipe[name]["entities"]})
    for entity in entities:
        cells = []
        for name in names:
            e = pipe[name]["entities"].get(entity)
            cells.append(f"{e['f1']:.3f} ({e['support']})" if e else "–")
        lines.append(f"| {entity} | " + " | ".join(cells) + " |")
    lines += ["", "## Intents: F1 on dev and test, pipeline / baseline", "",
              "| intent | dev pipeline | dev baseline | dev/hard pipeline | dev/hard baseline | test pipeline | "
              "test baseline | test/hard pipeline | test/hard baseline |", "|---|" + "---:|" * 8]
    for intent in sorted(pipe["test"]["intents"], key=lambda i: pipe["test"]["intents"][i]["f1"]):
        row = [_fmt(r[s]["intents"].get(intent, {}).get("f1")) for s in ("dev", "dev/hard", "test", "test/hard")
               for r in (pipe, base)]
        lines.append(f"| {intent} | " + " | ".join(row) + " |")
    for name in names:
        lines += ["", f"## Worst confusions on {name} (gold → predicted: count)", "",
                  "| pipeline | baseline |", "|---|---|"]
        pc = [f"{c['intent']} → {c['predicted']}: {c['count']}" for c in pipe[name]["worst_confusions"][:8]]
        bc = [f"{c['intent']} → {c['predicted']}: {c['count']}" for c in base[name]["worst_confusions"][:8]]
        for i in range(max(len(pc), len(bc))):
            lines.append(f"| {pc[i] if i < len(pc) else ''} | {bc[i] if i < len(bc) else ''} |")
    cv = results.get("cross_validation")
    lines += ["", "## Cross-validation on the training data (`make cv`)", ""]
    if cv:
        lines += ["Stratified folds of data/nlu only (no dev or test sentence); the way to compare pipeline "
                  "settings. Mean over folds (± standard deviation).", "",
                  "| system | folds | intent accuracy | macro-F1 | entity micro-F1 | measured |",
                  "|---|---:|---:|---:|---:|---|"]
        for name, entry in cv.items():
            entity = entry.get("entity_micro_f1")
            lines.append(f"| {name} | {entry['folds']} | {entry['intent_accuracy']['mean']:.3f} ± "
                         f"{entry['intent_accuracy']['sd']:.3f} | {entry['intent_macro_f1']['mean']:.3f} ± "
                         f"{entry['intent_macro_f1']['sd']:.3f} | "
                         f"{_fmt(entity['mean'] if entity else None)} | {entry.get('measured', '')} |")
    else:
        lines.append("Not measured yet: run `make cv` (reports/nlu_cv.json).")
    lines += ["", "Every error, per set and system: reports/nlu_eval.json."]
    return "\n".join(lines) + "\n"


def run(model: Path) -> dict:
    training = load_examples([TRAINING])
    baseline = Baseline().fit(training)
    results: dict = {"model": model.name, "training_examples": len(training), "pipeline": {}, "baseline": {}}
    results["pipeline"] = asyncio.run(evaluate_sets(model))
    for name, paths in SETS.items():
        gold = load_examples(paths)
        results["baseline"][name] = score(gold, baseline.predict([g.text for g in gold]), with_entities=False)
    cv_file = REPORTS / "nlu_cv.json"
    if cv_file.exists():
        results["cross_validation"] = _cv_summary(json.loads(cv_file.read_text(encoding="utf-8")))
    return results


def _cv_summary(cv: dict) -> dict:
    """The pipeline entries for the current config.yml and the baseline, from reports/nlu_cv.json."""
    from scripts.cv_nlu import baseline_key, config_id

    summary = {}
    current = config_id(ROOT / "config.yml")
    for key, entry in cv.items():
        if key == current:
            summary[f"pipeline ({key})"] = entry
        elif key == baseline_key(BASELINE_C):
            summary[key] = entry
    return summary


def main() -> None:
    from bot.model_cache import ensure_model

    # An explicit model path (experiments) or the model for the current data.
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else ensure_model()
    results = run(model)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "nlu_eval.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(results)
    (REPORTS / "nlu_eval.md").write_text(text, encoding="utf-8")
    print(text)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
