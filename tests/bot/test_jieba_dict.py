from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer

from tests.bot.helpers import create, message

DICTIONARY_DIR = Path(__file__).resolve().parents[2] / "bot" / "nlu" / "jieba"
POS_TAGS = {"n", "v", "nt", "nz", "a", "q", "t"}  # t: time words (下周三)


def test_dictionary_directory_holds_only_the_dictionary() -> None:
    # JiebaTokenizer loads every file in dictionary_path as a user dictionary.
    assert [p.name for p in DICTIONARY_DIR.iterdir()] == ["jieba_dict.txt"]


def test_dictionary_format() -> None:
    lines = (DICTIONARY_DIR / "jieba_dict.txt").read_text(encoding="utf-8").splitlines()
    words = [line.split() for line in lines]
    assert len(words) >= 80
    assert all(len(w) == 3 and w[1].isdigit() and w[2] in POS_TAGS for w in words), words
    assert len({w[0] for w in words}) == len(words)
    assert {"户号", "峰谷", "阶梯电价", "网上国网", "漏电保护器", "95598"} <= {w[0] for w in words}


def test_tokenizer_keeps_domain_words_whole(tmp_path: Any) -> None:
    tokenizer = create(JiebaTokenizer, tmp_path, {"dictionary_path": str(DICTIONARY_DIR)})
    msg = message("阶梯电价怎么算，漏电保护器老跳闸，网上国网交电费")
    tokenizer.process([msg])
    tokens = [t.text for t in msg.get("text_tokens")]
    assert {"阶梯电价", "漏电保护器", "跳闸", "网上国网", "电费"} <= set(tokens)


def test_relative_weekdays_are_one_token(tmp_path: Any) -> None:
    # Otherwise 下 and 这 end up as stray date entities.
    tokenizer = create(JiebaTokenizer, tmp_path, {"dictionary_path": str(DICTIONARY_DIR)})
    msg = message("下周四和这周六停电吗")
    tokenizer.process([msg])
    assert {"下周四", "这周六"} <= {t.text for t in msg.get("text_tokens")}
