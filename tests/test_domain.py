"""Every response can be spoken by the hotline: an IVR variation, short, with no
links, markup or emoji."""
from __future__ import annotations

import re

import yaml

from bot.model_cache import ROOT

EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
MAX_SPOKEN = 90  # characters: about 20 seconds of speech


def test_every_response_has_a_speakable_ivr_variation():
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    for name, variations in responses.items():
        spoken = [v["text"] for v in variations if v.get("channel") == "ivr"]
        assert spoken, f"{name} has no IVR variation"
        text = spoken[0]
        assert len(text) <= MAX_SPOKEN, (name, len(text))
        assert not re.search(r"https?://|www\.|[<>*#\[\]]", text), name
        assert not EMOJI.search(text), name
