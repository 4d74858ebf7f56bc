"""A run's summary sent through Apprise (e-mail, Slack, ntfy, JSON webhooks...) after `batch`,
`sweep` and `follow`: only when something changed or failed, unless always asked. It carries
order numbers, outcomes, messages and next steps; never a secret, a cookie or the URLs themselves.
A notification that cannot be delivered is a warning, never a failed run."""
from __future__ import annotations

import logging
import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from automation.errors import CannotStart
from automation.language import _
from automation.text import printable

if TYPE_CHECKING:  # the batch runner only for its types: a `check` does not load it
    from automation.runs.batch import BatchSummary

# "cancelled_elsewhere": the store's e-mail says an order was cancelled, not by this tool, and its page agrees
CHANGED = {"cancelled", "cancellation_requested", "pending", "not_cancellable", "cancelled_elsewhere"}
FAILED = {"failed", "needs_human", "invalid"}
SHOWN = CHANGED | FAILED | {"would_cancel"}
SECRET_PARAMETER = re.compile(r"pass|token|key|secret|auth|sig", re.IGNORECASE)
# a webhook's or a bot's token in the address itself (slack://T0/B0/XyZ..., tgram://123:AAH...):
# long, letters and digits mixed, no dots (a host name has them)
TOKEN = re.compile(r"(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9_\-:~]{20,}")


def _apprise(urls: list[str]) -> Any:
    import apprise  # only when a run notifies

    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # its messages may name a target's address
    targets = apprise.Apprise()
    for url in urls:
        if not targets.add(url):
            scheme = urllib.parse.urlsplit(url).scheme or "?"
            raise CannotStart(f"--notify: not a notification URL Apprise knows ({scheme}://...)")
    return targets


def check_urls(urls: list[str]) -> None:
    """Every URL usable, before any work (a bad one is a one-line error, exit 2)."""
    if urls:
        _apprise(urls)


def holds_secret(url: str) -> bool:
    """Whether an Apprise URL carries a password or a token: a password after the user name
    (`mailto://user:password@host`), a query parameter named like one, or a token-like part."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # not even a URL's shape: it may be anything, a secret included
        return True
    if parts.password:
        return True
    query = urllib.parse.parse_qsl(parts.query)
    if any(value and SECRET_PARAMETER.search(name) for name, value in query):
        return True
    return any(TOKEN.fullmatch(part) for part in [parts.netloc, *parts.path.split("/"), *(v for _, v in query)])


def worth_sending(summary: BatchSummary) -> bool:
    return summary.aborted is not None or any(not r.skipped and r.state in CHANGED | FAILED for r in summary.records)


def message(summary: BatchSummary, command: str) -> tuple[str, str]:
    """The summary's title and body, in the tool's language; outcomes and states by their codes."""
    counts = ", ".join(f"{state} {n}" for state, n in sorted(summary.counts.items())) or _("no orders")
    title = f"ordercancel {command}: {counts}"
    lines = []
    if summary.aborted is not None:
        lines.append(_("stopped before any order: {message}").format(message=summary.aborted.message))
        if summary.aborted.next_step:
            lines.append("  " + _("next: {step}").format(step=summary.aborted.next_step))
    for record in summary.records:
        if record.skipped or record.state not in SHOWN:
            continue
        rule = " [" + _("rule {rule}").format(rule=record.rule) + "]" if record.rule else ""
        lines.append(f"{record.order_id}: {record.state}{rule} - {record.result.message}")
        if record.result.next_step:
            lines.append("  " + _("next: {step}").format(step=record.result.next_step))
    lines.append(_("run {run_id}, exit code {code}").format(run_id=summary.run_id, code=int(summary.exit_code)))
    # a mail reader or a chat client may be a terminal too: store text stays data there
    return printable(title), "\n".join(printable(line) for line in lines)


def send(urls: list[str], summary: BatchSummary, command: str, always: bool, log: Any) -> bool | None:
    """Send the summary; None when there was nothing worth sending."""
    if not urls or not (always or worth_sending(summary)):
        return None
    title, body = message(summary, command)
    try:
        delivered = bool(_apprise(urls).notify(title=title, body=body))
    except Exception as exc:  # a notification is a nicety: the run's outcome stands
        log.warning("notify_failed", targets=len(urls), error=type(exc).__name__)
        return False
    if delivered:
        log.info("notified", targets=len(urls))
    else:
        log.warning("notify_failed", targets=len(urls), hint="at least one target did not accept the summary")
    return delivered
