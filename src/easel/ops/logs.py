"""Structured logs: JSON lines that carry the job and variant a record is about.

The worker wraps each variant's work in `log_context`; a filter on every handler copies
those ids onto each record logged meanwhile, in that task and any task it starts, so a
provider's or the store's message says which variant it is about without passing ids
down. ``EASEL_LOG_FORMAT=json`` turns the process's handlers to `JsonFormatter`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from easel.redaction import log_handlers

CONTEXT_FIELDS = ("job_id", "variant_id")
_context: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("easel_log_context", default=())


@contextmanager
def log_context(**ids: str) -> Iterator[None]:
    """Records logged inside carry ``ids`` (job_id, variant_id) besides their message."""
    token = _context.set(tuple({**dict(_context.get()), **ids}.items()))
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the current `log_context` onto each record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get():
            setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def install_log_format(log_format: str) -> None:
    """Add the context filter to every handler the process has now and, for ``json``,
    format their records as JSON lines. Call after logging is configured (as
    `install_log_redaction` is), so uvicorn's handlers are included."""
    context = ContextFilter()
    for handler in log_handlers():
        for old in [f for f in handler.filters if isinstance(f, ContextFilter)]:
            handler.removeFilter(old)
        handler.addFilter(context)
        if log_format == "json":
            handler.setFormatter(JsonFormatter())
