"""Logging with structlog to stderr: a console renderer on a terminal, JSON lines otherwise."""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
import structlog.tracebacks

from automation.text import printable

SECRET_KEYS = {"password", "totp_secret", "cookie", "cookies", "storage_state", "otp", "code"}


def _drop_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = "***"
    return event


def _printable(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """On the console, store text in a log line (an error quoting a page, say) is shown escaped;
    other values are rendered with repr, which escapes them already, and JSON lines by json."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = printable(value)
    return event


def configure(log_format: str | None = None, level: int = logging.INFO) -> None:
    fmt = log_format or ("console" if sys.stderr.isatty() else "json")
    renderer: Any
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(  # colour only on a terminal, and never against NO_COLOR
            colors=sys.stderr.isatty() and not os.environ.get("NO_COLOR"),
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False))
        processors: list[Any] = [_printable]
    else:
        renderer = structlog.processors.JSONRenderer()
        processors = [structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False))]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            *processors,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(**bound: Any) -> Any:
    return structlog.get_logger(**bound)
