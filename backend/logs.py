"""Logging set-up: every line that leaves the process has personal data masked (PIPL).

Access logs print request URLs, and some carry a 户号 or phone number in the
query string; masking at the handler catches those and any other log line.
"""
from __future__ import annotations

import logging

from backend.privacy import mask_text


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskingFilter())
