"""Trains a tiny NLU model with the real config.yml pipeline and parses through Agent."""
from __future__ import annotations

import asyncio
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)  # Thursday

NLU = """
version: "3.1"
nlu:
- intent: ask_payment_methods
  examples: |
    - 电费怎么交
    - 在哪儿交电费
    - 能用支付宝缴费吗
    - 網上國網能交費嗎
    - 微信可以交电费吗
    - 去营业厅交费几点开门
- intent: query_outage
  examples: |
    - [明天](date)停电吗
    - [下周三](date)我们小区停不停电
    - [11月28号](date)有计划停电吗
    - [後天](date)會停電嗎
    - 什么时候来电
    - 查一下[这周六](date)的停电通知
- intent: inform
  examples: |
    - 户号是[3301234567](account_no)
    - 我的户号[3301 2345 67890](account_no)
    - 電話[13812345678](phone)
    - 手机号[139 1234 5678](phone)
    - 工单[GD20261126000123](ticket_id)
    - 戶號[３３０１２３４５６７](account_no)
- intent: greet
  examples: |
    - 你好
    - 您好
    - 请问有人在吗
    - 在吗
    - 哈喽
    - 你們好
"""


def tiny_config(tmp_path: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            # Eager mode: for a few steps on 24 examples, tracing DIET's tf.functions
            # (~20 s in training and again in Agent.load) costs far more than it saves.
            component.update(epochs=10, run_eagerly=True)
        if component["name"] == "JiebaTokenizer":
            component["dictionary_path"] = str(ROOT / component["dictionary_path"])
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_tiny_model_parses_traditional_text_end_to_end(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "false")
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setattr("bot.nlu.chinese_dates.today_in_shanghai", lambda now=None: TODAY)
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text(NLU, encoding="utf-8")
    shutil.copy(ROOT / "data" / "nlu" / "regex.yml", data / "regex.yml")

    started = time.monotonic()
    model = train_nlu(str(tiny_config(tmp_path)), str(data), str(tmp_path / "models"), fixed_model_name="tiny")
    trained = time.monotonic() - started
    assert model and Path(model).exists()
    assert (tmp_path / "cache").is_dir()  # Rasa's training cache went to tmp, not ./.rasa
    agent = Agent.load(model)
    print(f"tiny training took {trained:.1f} s; load + parse {time.monotonic() - started - trained:.1f} s")

    parsed = asyncio.run(agent.parse_message("戶號３３０１ ２３４５ ６７８９０，後天會停電嗎？電話138-1234-5678"))
    assert parsed["text"] == "户号3301 2345 67890，后天会停电吗？电话138-1234-5678"
    assert parsed["original_text"].startswith("戶號３３０１")
    assert parsed["intent"]["name"] in {"ask_payment_methods", "query_outage", "inform", "greet", "nlu_fallback"}
    values = {e["entity"]: e["value"] for e in parsed["entities"]}
    assert values == {"account_no": "3301234567890", "date": "2026-11-28", "phone": "13812345678"}
    for entity in parsed["entities"]:
        assert parsed["text"][entity["start"]:entity["end"]], entity
    identifiers = [e for e in parsed["entities"] if e["entity"] in {"account_no", "phone"}]
    assert {e["extractor"] for e in identifiers} == {"IdentifierExtractor"}

    # Danger is heard in any message, on the normalised text (HazardDetector).
    outage = asyncio.run(agent.parse_message("停電了，表箱那邊還在冒煙，幾點能恢復"))
    hazards = [e for e in outage["entities"] if e["entity"] == "hazard"]
    assert [(e["value"], outage["text"][e["start"]:e["end"]], e["extractor"]) for e in hazards] == [
        ("smoke", "冒烟", "HazardDetector")]

    greeting = asyncio.run(agent.parse_message("你們好"))
    assert greeting["text"] == "你们好"
    assert greeting["entities"] == []

