"""Log lines never carry a raw phone number or 户号."""
from __future__ import annotations

import logging

from backend.logs import MaskingFilter


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
