"""The trained assistant as a whole: the data is consistent, every dialogue flow
of tests/stories/ is followed turn by turn, and the NLU keeps its accuracy on
the held-out set. Uses the model for the current data (trained once, cached by
the hash of what produces it)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.model_cache import ROOT, ensure_model

ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
# Held-out floor that a change must not fall below (the report has the current figures).
MIN_INTENT_ACCURACY = 0.90
MIN_ENTITY_F1 = 0.80


@pytest.fixture(scope="module")
def model() -> Path:
    return ensure_model()


def rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=1800)


def test_training_data_is_consistent():
    result = rasa("data", "validate", "--domain", "domain.yml", "--data", "data", "--config", "config.yml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_dialogue_flow_is_followed(model, tmp_path):
    result = rasa("test", "core", "--model", str(model), "--stories", "tests/stories", "--out", str(tmp_path),
                  "--fail-on-prediction-errors")
    failed = tmp_path / "failed_test_stories.yml"
    assert result.returncode == 0, failed.read_text("utf-8") if failed.exists() else result.stderr[-3000:]


def test_nlu_on_the_held_out_set(model):
    from scripts.eval_nlu import evaluate

    result = asyncio.run(evaluate(model, ROOT / "tests" / "nlu"))
    assert result["intent_accuracy"] >= MIN_INTENT_ACCURACY, result["worst_confusions"]
    assert result["entity_micro_f1"] >= MIN_ENTITY_F1, result["entities"]
    assert result["entities"]["account_no"]["f1"] == 1.0 and result["entities"]["phone"]["f1"] == 1.0
