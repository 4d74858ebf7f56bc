"""Every error the tool reports, in one tree: each knows its exit code and whether work had started.

`ToolError` is the root. Errors raised *before any work* (bad input, settings, unusable files and
folders, a busy journal) carry `before_work = True`: the command line prints one line and exits,
nothing was done. The others happen during the work (the store, the browser, the journal changed
under the run); a run turns them into an order's outcome or its summary, never into "nothing was
done"."""
from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    UNEXPECTED = 1
    BAD_INPUT = 2
    NOT_CANCELLABLE = 3
    NOT_FOUND = 4
    SIGN_IN_FAILED = 5
    NEEDS_HUMAN = 6
    INTERRUPTED = 130  # as a shell says a process Ctrl+C (SIGINT) ended


class ToolError(Exception):
    """An error the tool reports in one line."""
    exit_code: ExitCode = ExitCode.UNEXPECTED
    before_work: bool = False


# -- before any work: nothing was done ----------------------------------------------------------

class BadInput(ToolError, ValueError):
    """Input the tool refuses before acting (an order number, an item, a file, a folder, a
    setting); the message is one line for the user. Inside a run it is that order's outcome."""
    exit_code = ExitCode.BAD_INPUT
    before_work = True


class CannotStart(BadInput):
    """A command that cannot start: one line, its exit code (2 unless said), nothing done."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class JournalBusy(ToolError):
    """Another run holds this journal."""
    exit_code = ExitCode.BAD_INPUT
    before_work = True


# -- during the work ---------------------------------------------------------------------------

class AuthFailed(ToolError):
    """Signing in is impossible with what the tool was given."""
    exit_code = ExitCode.SIGN_IN_FAILED


class NoCredentials(AuthFailed):
    """The store asks to sign in and the tool was given no e-mail or password to do it with."""


class NeedsHuman(ToolError):
    """The store asks for something only a person may answer (CAPTCHA, approval on a device)."""
    exit_code = ExitCode.NEEDS_HUMAN


class RobotCheckShown(NeedsHuman):
    """The store shows a robot check that only a person may answer (a CAPTCHA, a puzzle), or a
    JavaScript challenge that did not clear in the browser: nothing was submitted."""


class StoreTrouble(ToolError):
    """The store did not answer as expected (server error, timeout, unknown screen, wrong order)."""


class StoreUnreachable(StoreTrouble):
    """The store's address could not be reached at all: refused, no such host, TLS failed."""


class StoreTimeout(StoreTrouble):
    """The store did not answer within the timeout."""


class BrowserUnavailable(ToolError):
    """The browser could not be started or reached."""


class NoDisplay(BrowserUnavailable):
    """A browser window was asked for (--headed) where there is no display to show it on."""


class JournalConflict(ToolError):
    """A journal row was not in the state this run left it in: something else wrote the journal.
    Raised during the work (after clicks, perhaps): the run records it and goes on writing its
    summary, never "nothing was done"."""


class Interrupted(ToolError):
    """A run stopped by Ctrl+C (SIGINT): its message says which orders were in flight, which the
    journal keeps for the next run to read before anything else."""
    exit_code = ExitCode.INTERRUPTED
