"""Every visible text of the mock store, per language (the table is data: `texts.json` beside
this module); markup, ids and values never change."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency

LANGUAGES = ("en", "da", "de", "sv")
_TABLE = json.loads((Path(__file__).parent / "texts.json").read_text(encoding="utf-8"))
REASONS = [  # (value, its label in each of LANGUAGES), in the real drop-down's order
    (reason["value"], tuple(reason["labels"][language] for language in LANGUAGES)) for reason in _TABLE["reasons"]]
REASON_VALUES = {value for value, _ in REASONS}
TEXTS: dict[str, dict[str, str]] = dict(_TABLE["texts"])
# the UK storefront's own words where they differ from amazon.com's
TEXTS["en-GB"] = {**TEXTS["en"], **_TABLE["en-GB"]}


@dataclass(frozen=True)
class Marketplace:
    currency: str
    locale: str  # Babel's, for money
    country: str


MARKETPLACES = {
    "com": Marketplace("USD", "en_US", "US"),
    "co.uk": Marketplace("GBP", "en_GB", "GB"),
    "de": Marketplace("EUR", "de_DE", "DE"),
    "se": Marketplace("SEK", "sv_SE", "SE"),
}
COUNTRY_OF_LANGUAGE = {"en": "US", "da": "DK", "de": "DE", "sv": "SE"}


@dataclass(frozen=True)
class Voice:
    """How a page speaks: its display language on its marketplace (a Dane on amazon.de: da on de)."""
    language: str = "en"
    marketplace: str = "com"

    @property
    def words(self) -> dict[str, str]:
        return TEXTS["en-GB" if (self.language, self.marketplace) == ("en", "co.uk") else self.language]

    @property
    def babel_locale(self) -> str:
        if self.language == "en":
            return "en_GB" if self.marketplace == "co.uk" else "en_US"
        return f"{self.language}_{COUNTRY_OF_LANGUAGE[self.language]}"


def long_date(moment: datetime, voice: Voice) -> str:
    """'May 11, 2026' (en, amazon.com), '11 May 2026' (en, amazon.co.uk), '11. maj 2026' (da),
    '11. Mai 2026' (de), '11 maj 2026' (sv), as the storefronts write them."""
    return format_date(moment.date(), "long", locale=voice.babel_locale)


def weekday(moment: datetime, voice: Voice) -> str:
    return format_date(moment.date(), "EEEE", locale=voice.babel_locale)


def money(amount: object, voice: Voice) -> str:
    """An amount in the marketplace's currency and format, whatever the display language:
    '$1,234.56', '£1,234.56', '1.234,56 €', '1 234,56 kr'."""
    market = MARKETPLACES[voice.marketplace]
    return format_currency(Decimal(str(amount)), market.currency, locale=market.locale)


def reason_labels(voice: Voice) -> list[tuple[str, str]]:
    index = LANGUAGES.index(voice.language)
    return [(value, labels[index]) for value, labels in REASONS]
