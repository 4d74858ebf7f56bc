"""What every screen shares: reading the page's own URL, and telling the store's error pages apart."""
from __future__ import annotations

import urllib.parse

from playwright.sync_api import Page

from pages.texts import all_languages

# One round trip that tells whether the page is the store's not-found or server-error page.
_ERROR_PAGE_JS = """([notFound, serverError]) => {
  const text = (document.querySelector('h1, title')?.textContent || '') + ' ' + document.title;
  return {
    notFound: notFound.some(t => text.includes(t)),
    serverError: serverError.some(t => text.includes(t)),
  };
}"""


def query_param(page: Page, name: str) -> str | None:
    """A parameter of the page's current URL, matched case-insensitively (orderID / orderId)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    for key, values in query.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def path_of(page: Page) -> str:
    return urllib.parse.urlsplit(page.url).path


def error_page(page: Page) -> str | None:
    """'not_found' or 'server_error' when the page is one of the store's error pages, else None."""
    found = page.evaluate(_ERROR_PAGE_JS, [all_languages("not_found"), all_languages("server_error")])
    if found["notFound"]:
        return "not_found"
    if found["serverError"]:
        return "server_error"
    return None
