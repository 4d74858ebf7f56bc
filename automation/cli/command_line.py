"""The command line a run's report shows: rebuilt from the parsed options, never copied from
sys.argv, so that what may hold a secret is left out."""
from __future__ import annotations

import shlex
import urllib.parse
from collections.abc import Callable
from typing import Any

import typer

from automation.text import printable


def _scheme_only(url: str) -> str:
    """A notification URL may hold a password or a token anywhere in it (`tgram://TOKEN/chat`)."""
    scheme = urllib.parse.urlsplit(url).scheme if "://" in url else ""
    return f"{scheme or '?'}://…"


def _no_credentials(url: str) -> str:
    """The store's address without a user name, password, query or fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "…"
    host = f"[{host}]" if ":" in host else host
    return urllib.parse.urlunsplit((parts.scheme, host + port, parts.path, "", ""))


# the options whose values may hold a secret, shown only as far as they cannot
REDACTED: dict[str, Callable[[str], str]] = {"notify": _scheme_only, "base_url": _no_credentials}


def command_line(ctx: typer.Context) -> str:
    """`ordercancel [global options] COMMAND [options and arguments]` as given on the command line:
    only options typed there (no defaults, no environment or env file values), each word
    shell-quoted and made printable, a secret-bearing value cut to what is not secret."""
    words = ["ordercancel"]
    if ctx.parent is not None:
        words += _given(ctx.parent)
    words.append(ctx.info_name or "")
    words += _given(ctx)
    return " ".join(shlex.quote(printable(word)) for word in words)


def _given(ctx: typer.Context) -> list[str]:
    words: list[str] = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name or "")
        if param.name is None or source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params.get(param.name)
        values = list(value) if isinstance(value, list | tuple) else [value]
        shown = [REDACTED.get(param.name, str)(str(v)) for v in values]
        if param.param_type_name == "argument":
            words += shown
        elif getattr(param, "is_flag", False):
            words.append(_flag(param, value))
        else:
            name = _long(param.opts)
            for text in shown:
                words += [name, text]
    return words


def _long(names: list[str]) -> str:
    return next((n for n in names if n.startswith("--")), names[0])


def _flag(param: Any, value: Any) -> str:
    """`--headed` or `--headless`, `--yes`: the name that says the value given."""
    return _long(param.opts) if value or not param.secondary_opts else _long(param.secondary_opts)
