"""Log lines never carry a raw phone number or 户号."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from backend.logs import MaskingFilter, install, log_format
from backend.observability import request_ids


def test_access_log_line_is_masked():
    url = "GET /api/accounts/3301234567890?phone=13812345678"
    record = logging.LogRecord("aiohttp.access", logging.INFO, __file__, 1, '%s "%s" %s',
                               ("127.0.0.1", url, 200), None)
    assert MaskingFilter().filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /api/accounts/******7890?phone=138****5678" 200'


def test_ticket_numbers_stay_readable():
    record = logging.LogRecord("backend", logging.INFO, __file__, 1, "sweep escalated %s",
                               ("GD20261127000057",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "sweep escalated GD20261127000057"


def _format(fmt: str, message: str, *args: object, exc: bool = False) -> str:
    import io
    import sys

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    install(handler, fmt)
    logger = logging.getLogger("tests.logs.format")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc:
            try:
                raise ValueError("账户 3301234567890 不存在")
            except ValueError:
                logger.error(message, *args, exc_info=sys.exc_info())
        else:
            logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_json_lines_name_the_message_and_its_conversation_and_are_masked():
    async def inside_a_turn() -> str:
        request_ids.bind("msg-7f3a", "conv-1")
        return _format("json", "customer %s said %s", "王建国", "我的电话是13812345678")

    line = json.loads(asyncio.run(inside_a_turn()))
    assert line["request_id"] == "msg-7f3a" and line["conversation_id"] == "conv-1"
    assert line["level"] == "WARNING" and line["logger"] == "tests.logs.format"
    assert "13812345678" not in line["message"] and "138****5678" in line["message"]
    assert line["time"].endswith("+00:00")


def test_an_exceptions_text_is_masked_too_in_either_format():
    for fmt in ("json", "text"):
        out = _format(fmt, "lookup failed", exc=True)
        assert "3301234567890" not in out and "ValueError" in out, fmt


def test_text_lines_carry_the_request_id_in_brackets_only_when_there_is_one():
    async def with_id() -> str:
        request_ids.bind("msg-1")
        return _format("text", "hello")

    assert "[msg-1]: hello" in asyncio.run(with_id())
    assert "tests.logs.format: hello" in _format("text", "hello")


def test_a_wrong_log_format_stops_the_start():
    with pytest.raises(SystemExit, match="LOG_FORMAT"):
        log_format("yaml")
