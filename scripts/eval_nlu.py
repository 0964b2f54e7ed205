"""`make eval`: the NLU measured on the project's held-out set (tests/nlu/, never
trained on), as the assistant really sees it: every pipeline component,
entities compared after all extractors ran.

Writes reports/nlu_eval.json and reports/nlu_eval.md: intent accuracy, macro-F1,
per-intent F1, per-entity precision/recall/F1 and the worst confusions.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


# Entities whose meaning is their normalised value (synonyms), not the words used.
VALUE_ENTITIES = ("business_type", "rating")


def _entity_key(entity: dict, text: str) -> tuple[str, str]:
    if entity["entity"] in VALUE_ENTITIES:
        return entity["entity"], str(entity.get("value"))
    return entity["entity"], _key(text[entity["start"]:entity["end"]])


def _key(text: str) -> str:
    """Entity text compared without spaces, dashes and case (户号 typed with spaces is the same 户号)."""
    from bot.nlu.text_normalisation import normalise

    return re.sub(r"[\s\-]", "", normalise(text).text).upper()


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


async def evaluate(model: Path, heldout: Path) -> dict:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    examples = load_data(str(heldout)).training_examples
    intents, entity_counts = [], defaultdict(Counter)
    for example in examples:
        text, gold = example.get("text"), example.get("intent")
        parsed = await agent.parse_message(text)
        predicted = parsed["intent"]["name"]
        intents.append((gold, predicted, text))
        expected = Counter(_entity_key(e, text) for e in example.get("entities", []))
        got = Counter(_entity_key(e, parsed["text"]) for e in parsed["entities"])
        for entity in {k[0] for k in expected} | {k[0] for k in got}:
            exp = Counter({k: v for k, v in expected.items() if k[0] == entity})
            pred = Counter({k: v for k, v in got.items() if k[0] == entity})
            matched = sum((exp & pred).values())
            entity_counts[entity]["tp"] += matched
            entity_counts[entity]["fp"] += sum(pred.values()) - matched
            entity_counts[entity]["fn"] += sum(exp.values()) - matched
    return report(intents, entity_counts)


def report(intents: list[tuple[str, str, str]], entity_counts: dict[str, Counter]) -> dict:
    labels = sorted({g for g, _, _ in intents})
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p, _ in intents if g == p == label)
        fp = sum(1 for g, p, _ in intents if p == label and g != label)
        fn = sum(1 for g, p, _ in intents if g == label and p != label)
        precision, recall, f1 = _f1(tp, fp, fn)
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                             "support": tp + fn}
    entities = {}
    total = Counter()
    for entity, c in sorted(entity_counts.items()):
        precision, recall, f1 = _f1(c["tp"], c["fp"], c["fn"])
        entities[entity] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                            "support": c["tp"] + c["fn"]}
        total.update(c)
    confusions = Counter((g, p) for g, p, _ in intents if g != p)
    errors = [{"text": t, "intent": g, "predicted": p} for g, p, t in intents if g != p]
    return {
        "examples": len(intents),
        "intent_accuracy": round(sum(1 for g, p, _ in intents if g == p) / len(intents), 4),
        "intent_macro_f1": round(sum(v["f1"] for v in per_intent.values()) / len(per_intent), 4),
        "entity_micro_f1": round(_f1(total["tp"], total["fp"], total["fn"])[2], 4),
        "intents": per_intent, "entities": entities,
        "worst_confusions": [{"intent": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(10)],
        "errors": errors,
    }


def markdown(result: dict, model: Path) -> str:
    lines = [f"# NLU evaluation on the held-out set ({result['examples']} examples)", "",
             f"Model: `{model.name}`", "",
             f"- intent accuracy: **{result['intent_accuracy']:.3f}**",
             f"- intent macro-F1: **{result['intent_macro_f1']:.3f}**",
             f"- entity micro-F1: **{result['entity_micro_f1']:.3f}**", "",
             "| entity | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
              for k, v in result["entities"].items()]
    lines += ["", "| intent | F1 | support |", "|---|---:|---:|"]
    lines += [f"| {k} | {v['f1']:.3f} | {v['support']} |"
              for k, v in sorted(result["intents"].items(), key=lambda kv: kv[1]["f1"])]
    lines += ["", "Worst confusions:", ""]
    lines += [f"- {c['intent']} → {c['predicted']}: {c['count']}" for c in result["worst_confusions"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    from bot.model_cache import ensure_model

    # An explicit model path (experiments) or the model for the current data.
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else ensure_model()
    result = asyncio.run(evaluate(model, ROOT / "tests" / "nlu"))
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    (out / "nlu_eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(result, model)
    (out / "nlu_eval.md").write_text(text, encoding="utf-8")
    print(text)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
