"""Log output: one JSON object per line in production, readable lines in development.

Every request ends with one line from the `app.requests` logger (see `middleware.py`). Nothing
logged names a secret: GraphQL documents, variables, headers and bodies are never written, and
the caller appears as a keyed digest (`pseudonym`), stable for one key but not reversible.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

from app.middleware import QueryStringFilter, RequestIdFilter, request_id_var

REQUEST_LOGGER = "app.requests"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def pseudonym(key: bytes, identity: str | None) -> str | None:
    """The same caller gets the same 16 hex characters under one key; the id cannot be read back."""
    if identity is None:
        return None
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:16]


class JsonFormatter(logging.Formatter):
    """`time`, `level`, `logger`, `message`, `request_id`, then the line's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format: the message, then the line's fields as `key=value`."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if not fields:
            return text
        pairs = " ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, [], ""))
        return f"{text} {pairs}"


def configure_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("uvicorn.access").addFilter(QueryStringFilter())
