"""`python -m bot.model_cache`: train only when what produces the model changed.

The model is keyed by a hash of config.yml, domain.yml, data/, the custom
NLU components (bot/nlu/), our dialogue policy with the flow table it reads
(bot/policies/, bot/flows.py) and the glossary they import (glossary/), and kept
in a cache outside the checkout, so a fresh clone or a CI run with unchanged
inputs reuses it (training takes minutes; copying takes a second). models/ gets the matching model.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu", "bot/policies", "bot/flows.py", "glossary")
# Customer sentences of the backend and the actions, how the hotline speaks them, and Rasa's own
# names as our code outside Rasa reads them: read by no NLU component or policy. A folder here
# leaves out everything under it.
NOT_MODEL_INPUTS = ("glossary/wording.py", "glossary/speech.py", "glossary/replies", "glossary/steps.py",
                    "glossary/rasa_names.py")
CACHE = Path(os.environ.get("MODEL_CACHE", Path.home() / ".cache" / "power-service-assistant" / "models"))


def inputs_hash(inputs: tuple[str, ...] = INPUTS) -> str:
    digest = hashlib.sha256()
    for name in inputs:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or _left_out(file.relative_to(ROOT).as_posix()):
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _left_out(relative: str) -> bool:
    return any(relative == name or relative.startswith(name + "/") for name in NOT_MODEL_INPUTS)


def model_path(key: str) -> Path:
    return ROOT / "models" / f"power-95598-{key}.tar.gz"


def ensure_model(force: bool = False) -> Path:
    if os.environ.get("ASSISTANT_MODEL"):  # an explicit model (experiments, debugging)
        return Path(os.environ["ASSISTANT_MODEL"])
    key = inputs_hash()
    target, cached = model_path(key), CACHE / f"power-95598-{key}.tar.gz"
    if target.exists() and not force:
        return target
    target.parent.mkdir(exist_ok=True)
    if cached.exists() and not force:
        shutil.copyfile(cached, target)  # a fresh mtime: Rasa loads the newest model in models/
        print(f"model: reused {cached.name} from the cache", flush=True)
        return target
    print(f"model: training (inputs {key}); this takes a few minutes", flush=True)
    _drop_stale_rasa_cache()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml",
                    "--data", "data", "--out", str(target.parent), "--fixed-model-name", target.stem.removesuffix(".tar"),
                    "--quiet"], cwd=ROOT, env=env, check=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, cached)
    for old in target.parent.glob("power-95598-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def _drop_stale_rasa_cache() -> None:
    """Rasa's own training cache fingerprints our components by class, not by the
    files they read (the jieba dictionary): when bot/nlu changed, start it afresh."""
    marker = ROOT / ".rasa" / "bot-nlu.hash"
    current = inputs_hash(("bot/nlu",))
    if marker.exists() and marker.read_text() != current:
        shutil.rmtree(ROOT / ".rasa" / "cache", ignore_errors=True)
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(current)


if __name__ == "__main__":
    print(ensure_model(force="--force" in sys.argv))
