"""The storefront's marketplaces: where a store address belongs, its currency and money format,
its country's business days, and the cookie that picks the display language."""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from babel.numbers import NumberFormatError, get_currency_symbol, is_currency, parse_decimal

from automation.logs import get_logger


@dataclass(frozen=True)
class Marketplace:
    code: str  # com, co.uk, de, se
    currency: str  # ISO 4217
    locale: str  # Babel's, for the money the pages show
    country: str  # ISO 3166, for public holidays
    language_cookie: str  # the site's display-language preference (value like da_DK)

    @property
    def mail_sender(self) -> str:
        """The address the store's order e-mails come from (anyone can write it: never proof)."""
        return f"order-update@amazon.{self.code}"


MARKETPLACES = {
    "com": Marketplace("com", "USD", "en_US", "US", "lc-main"),
    "co.uk": Marketplace("co.uk", "GBP", "en_GB", "GB", "lc-acbuk"),
    "de": Marketplace("de", "EUR", "de_DE", "DE", "lc-acbde"),
    "se": Marketplace("se", "SEK", "sv_SE", "SE", "lc-acbse"),
}
LANGUAGE_COUNTRY = {"en": "US", "da": "DK", "de": "DE", "sv": "SE"}


def marketplace_for(host: str) -> str:
    """The marketplace a store host names (www.amazon.de: de); com where it names none (the mock)."""
    for code in sorted(MARKETPLACES, key=len, reverse=True):
        if host == f"amazon.{code}" or host.endswith(f".amazon.{code}"):
            return code
    return "com"


def language_value(language: str, market: Marketplace) -> str:
    """The cookie value that asks the site for a display language: en_GB on amazon.co.uk, da_DK..."""
    country = "GB" if (language, market.code) == ("en", "co.uk") else LANGUAGE_COUNTRY[language]
    return f"{language}_{country}"


def language_cookie(language: str, market: Marketplace, base_url: str) -> dict[str, str]:
    """The language cookie for the store's host (host-only: no leading dot), in the saved
    session's cookie format, which both the browser and the plain-HTTP reader take."""
    return {"name": market.language_cookie, "value": language_value(language, market),
            "domain": urllib.parse.urlsplit(base_url).hostname or "", "path": "/"}


@cache
def _symbols(market: Marketplace) -> tuple[str, ...]:
    return tuple(sorted({get_currency_symbol(market.currency, market.locale), market.currency,
                         get_currency_symbol(market.currency, "en_US")}, key=len, reverse=True))


def parse_money(text: str | None, market: Marketplace) -> Decimal | None:
    """The amount in a price as the marketplace writes it ('$1,234.56', '£12.99', '1.234,56 €',
    '1 234,56 kr'), parsed by Babel in the marketplace's locale; None when it is not one, never a guess."""
    if not text:
        return None
    rest = text.strip()
    for symbol in _symbols(market):
        rest = rest.replace(symbol, "")
    rest = re.sub(r"[\s\u00a0\u202f]+", " ", rest).strip()
    if market.locale == "sv_SE":
        rest = rest.replace(" ", "\u00a0")  # Swedish groups thousands with a no-break space
    if not rest or not re.fullmatch(r"-?[\d.,\u00a0]+", rest):
        return None
    try:
        return parse_decimal(rest, locale=market.locale, strict=True)
    except NumberFormatError:
        return None


def priced(text: str | None, market: Marketplace) -> tuple[str | None, str | None]:
    """A price's amount (a decimal string) and currency for the results; (None, None) when the
    text is not a price of this marketplace, with a warning when it is a price in another currency."""
    amount = parse_money(text, market)
    if amount is None and (other := currency_shown(text, market)):
        _warn_other_currency(other, market)
    return (str(amount), market.currency) if amount is not None else (None, None)


ISO_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")


def currency_shown(text: str | None, market: Marketplace) -> str | None:
    """The currency a price is written in when it is not the marketplace's (a euro store read as
    amazon.com): another marketplace's whose symbol it shows and whose format it parses in, else
    an ISO 4217 code it shows that Babel knows. None for the marketplace's own, or a text naming none."""
    if not text or parse_money(text, market) is not None:
        return None
    for other in MARKETPLACES.values():
        if other.currency != market.currency and any(symbol in text for symbol in _symbols(other)) and \
                parse_money(text, other) is not None:
            return other.currency
    codes = [code for code in ISO_CODE.findall(text) if code != market.currency and is_currency(code)]
    return codes[0] if codes else None


@cache
def _warn_other_currency(currency: str, market: Marketplace) -> None:
    """Once per run and currency: the amounts are left empty, and what would set them right."""
    fits = [code for code, other in MARKETPLACES.items() if other.currency == currency]
    fix = f"if the store is amazon.{fits[0]}, add --marketplace {fits[0]}" if fits else \
        f"no marketplace the tool knows is in {currency}"
    get_logger().warning("price_in_other_currency", currency=currency, marketplace=market.code,
                         marketplace_currency=market.currency,
                         message=f"the store shows prices in {currency}, not in {market.currency} (the currency of "
                                 f"marketplace {market.code}): amounts are left empty; {fix}")


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # only when a refund date is counted

    return frozenset(holidays.country_holidays(country, years=year))


def business_days_after(start: date, days: int, country: str = "US") -> date:
    """The day `days` business days after `start` in that country: weekends and its public
    holidays do not count (refunds show in 3-5 business days, the help pages say)."""
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in _holidays(country, current.year):
            days -= 1
    return current
