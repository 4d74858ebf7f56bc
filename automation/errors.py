"""The ways a run can stop short of an outcome read from the store's pages."""
from __future__ import annotations


class AuthFailed(Exception):
    """Signing in is impossible with what the tool was given."""


class NeedsHuman(Exception):
    """The store asks for something only a person may answer (CAPTCHA, approval on a device)."""


class StoreTrouble(Exception):
    """The store did not answer as expected (server error, timeout, unknown screen, wrong order)."""


class Fail(Exception):
    """A one-line error before any work starts; `code` is the exit code (2 unless said)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
