"""Playwright's error classes, imported from the module its public API re-exports them from: about
2 ms, where `playwright.sync_api` costs about 90 ms that a run which never starts a browser (a
`check` read over plain HTTP) need not pay. A unit test holds them to be the public classes."""
from playwright._impl._errors import Error as PlaywrightError
from playwright._impl._errors import TimeoutError as PlaywrightTimeout

__all__ = ["PlaywrightError", "PlaywrightTimeout"]
