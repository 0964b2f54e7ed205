"""Logging set-up: every line that leaves the process has personal data masked (PIPL),
and names the customer message it belongs to (backend/observability/request_ids.py).

Access logs print request URLs, and some carry a 户号 or phone number in the
query string; masking at the handler catches those and any other log line,
exceptions' text included.

`LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message,
request_id, conversation_id; the exception as `exc` when there is one) for a log
shipper; the default is one readable line with the request id in brackets. The
backend, the action server and Rasa all set up their logging here.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from backend.observability import request_ids
from backend.privacy import mask_text

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
FORMATS = ("text", "json")


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class RequestContextFilter(logging.Filter):
    """Puts the current message's request id and conversation on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_ids.request_id.get()
        if not getattr(record, "conversation_id", None):
            record.conversation_id = request_ids.conversation_id.get()
        record.request_tag = f" [{record.request_id}]" if record.request_id else ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "conversation_id": getattr(record, "conversation_id", None),
        }
        if record.exc_info:
            line["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei: object) -> str:  # noqa: N802 (logging's name)
        return mask_text(super().formatException(ei))  # type: ignore[arg-type]


def log_format(value: str | None = None) -> str:
    """LOG_FORMAT, checked: a typo is a start-up error, not silently the other format."""
    chosen = (value if value is not None else os.environ.get("LOG_FORMAT", "text")).strip().lower() or "text"
    if chosen not in FORMATS:
        raise SystemExit(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


def install(handler: logging.Handler, fmt: str) -> None:
    """Give one handler our filters and formatter (also used on handlers Rasa made itself)."""
    for kind in (MaskingFilter, RequestContextFilter):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())


def configure_logging(level: int = logging.INFO, fmt: str | None = None) -> None:
    fmt = log_format(fmt)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level)
    for handler in root.handlers:
        install(handler, fmt)
