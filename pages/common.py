"""What every screen shares: reading the page's own URL, and telling the store's error pages apart."""
from __future__ import annotations

import re
import urllib.parse

from playwright.sync_api import Page

from pages.texts import all_languages

# Both live screens link each item to its product page; the ASIN in that link is the item's product.
PRODUCT_LINK = "a[href*='/dp/'], a[href*='/gp/product/']"
_PRODUCT_IN_HREF = re.compile(r"/(?:dp|gp/product)/([A-Z0-9]{10})(?:[/?#]|$)")

# One round trip that tells whether the page is the store's not-found or server-error page.
_ERROR_PAGE_JS = """([notFound, serverError]) => {
  const text = (document.querySelector('h1, title')?.textContent || '') + ' ' + document.title;
  return {
    notFound: notFound.some(t => text.includes(t)),
    serverError: serverError.some(t => text.includes(t)),
  };
}"""


def product_id(href: str | None) -> str | None:
    """The product id (ASIN) in a product link, or None when the link carries none."""
    match = _PRODUCT_IN_HREF.search(urllib.parse.urlsplit(href or "").path + "/")
    return match.group(1) if match else None


def query_param(page: Page, name: str) -> str | None:
    """A parameter of the page's current URL, matched case-insensitively (orderID / orderId)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    for key, values in query.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def exists(page: Page, css: str) -> bool:
    """Whether the document has a match for `css`. A query, so it runs in the page's own world:
    a locator would first make Playwright inject its script into each new document."""
    return bool(page.evaluate("(css) => !!document.querySelector(css)", css))


def text_or_attribute(page: Page, css: str, attribute: str | None = None) -> str | None:
    """The first match's text (whitespace collapsed) or attribute, read the same way as `exists`."""
    return page.evaluate("""([css, attribute]) => {
      const el = document.querySelector(css);
      if (!el) return null;
      return attribute ? el.getAttribute(attribute) : el.textContent.replace(/\\s+/g, ' ').trim();
    }""", [css, attribute])


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
