"""Logging with structlog: lines a person reads (warnings and errors unless asked for more), and
JSON lines for machines only when asked (on stderr, or appended to a file). Secrets never.

Where a person's lines go is the caller's: the command line passes a function that prints them
through the console its progress bar is drawn on, so that a log line never lands on the bar's line."""
from __future__ import annotations

import enum
import json
import logging
import sys
from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from types import ModuleType
from typing import Any, TextIO

from automation.text import printable


def _structlog_without_rich() -> ModuleType:
    """structlog, imported with rich hidden: its dev renderer and its traceback helper import
    rich's traceback and pretty-printer (and pygments through them) when rich is installed, about
    50 ms of a cold start. This tool renders its own lines and turns exceptions into dicts without
    locals, so it uses neither. rich stays importable afterwards (the command line draws with it)."""
    if "structlog" in sys.modules:
        return sys.modules["structlog"]
    hidden = "rich" not in sys.modules
    if hidden:
        sys.modules["rich"] = None  # type: ignore[assignment]  # None there: `import rich` raises ImportError
    try:
        import structlog  # noqa: PLC0415
        import structlog.tracebacks  # noqa: PLC0415, F401
    finally:
        if hidden:
            del sys.modules["rich"]
    return structlog


structlog = _structlog_without_rich()

SECRET_KEYS = {"password", "totp_secret", "cookie", "cookies", "storage_state", "otp", "code"}
# what a person's line leaves out: the time, level and event are written first, and one command
# is one run (its summary names the run; JSON lines carry the id)
NOT_SHOWN = {"timestamp", "level", "event", "run_id"}
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR,
          "critical": logging.CRITICAL}

Write = Callable[[str, str], None]  # (level, line): a line a person reads


def _drop_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = "***"
    return event


def plain(value: Any) -> str:
    """A value as a person reads it: a list as its items separated by commas, an enum as its
    value, store text with its control characters shown escaped, quoted if it has spaces."""
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(plain(item) for item in value)
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    text = printable(str(value))
    return f'"{text}"' if not text or any(c.isspace() for c in text) else text


def _exception(value: Any) -> str:
    """The last exception of a structured traceback, as one line (the whole trace is in the JSON)."""
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        return f"{value[-1].get('exc_type', '')}: {value[-1].get('exc_value', '')}"
    return str(value).strip().splitlines()[-1] if str(value).strip() else ""


def console_line(event: Mapping[str, Any]) -> str:
    """One log line for a person: local time, level, event, then what it knows as key=value;
    nothing for what it does not know (None, empty)."""
    try:
        when = datetime.fromisoformat(str(event.get("timestamp"))).astimezone().strftime("%H:%M:%S")
    except ValueError:
        when = ""
    parts = [when, f"{event.get('level', ''):<7}", plain(event.get("event", ""))]
    for key, value in event.items():
        if key in NOT_SHOWN or value is None or value == "" or value == [] or value == ():
            continue
        parts.append(f"{key}={plain(_exception(value)) if key == 'exception' else plain(value)}")
    return " ".join(part for part in parts if part)


def json_line(event: Mapping[str, Any]) -> str:
    """One JSON line: the exact text, with every non-ASCII and control character as a \\u escape."""
    return json.dumps(event, default=str)


class _Sinks:
    """The logger structlog hands each event to (as keywords): a person's line if its level is
    shown to the person, a JSON line to each JSON stream whose level it reaches."""

    def __init__(self, person: Write | None, person_level: int, machine: list[TextIO], machine_level: int) -> None:
        self.person, self.person_level = person, person_level
        self.machine, self.machine_level = machine, machine_level

    def _log(self, **event: Any) -> None:
        level = LEVELS.get(str(event.get("level")), logging.INFO)
        if self.person is not None and level >= self.person_level:
            self.person(str(event.get("level")), console_line(event))
        if level >= self.machine_level:
            for stream in self.machine:
                stream.write(json_line(event) + "\n")
                stream.flush()

    debug = info = warning = warn = error = critical = exception = fatal = msg = log = _log


def _to_stderr(_: str, line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def configure(log_format: str | None = None, level: int = logging.WARNING, *, person: Write | None = None,
              log_file: TextIO | None = None) -> None:
    """`log_format` "json": JSON lines on stderr (at info and up, or `level` if lower); else lines
    for a person on stderr, or through `person`, at `level` and up. `log_file`: JSON lines
    appended there as well, at info and up (or `level`)."""
    machine = [stream for stream in ([sys.stderr] if log_format == "json" else []) + [log_file] if stream]
    to_person = None if log_format == "json" else (person or _to_stderr)
    machine_level = min(level, logging.INFO)
    sinks = _Sinks(to_person, level, machine, machine_level)
    shown = ([level] if to_person else []) + ([machine_level] if machine else [])
    least = min(shown, default=logging.CRITICAL)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False)),
            lambda _, __, event: dict(event),  # handed to the sinks as keywords
        ],
        wrapper_class=structlog.make_filtering_bound_logger(least),
        logger_factory=lambda *_: sinks,
        cache_logger_on_first_use=False,
    )


def get_logger(**bound: Any) -> Any:
    return structlog.get_logger(**bound)
