"""Marketplaces without a browser: money as each marketplace writes it, business days in its
country, and which marketplace a store address is."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import structlog.testing
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from automation.marketplace import (
    MARKETPLACES,
    _warn_other_currency,
    business_days_after,
    currency_shown,
    marketplace_for,
    parse_money,
    priced,
)
from automation.settings import Settings

CENTS = st.integers(min_value=0, max_value=10**10)


@pytest.mark.parametrize("code", sorted(MARKETPLACES))
@given(cents=CENTS)
def test_any_amount_the_marketplace_formats_comes_back_equal(code: str, cents: int) -> None:
    market = MARKETPLACES[code]
    amount = Decimal(cents) / 100
    assert parse_money(format_currency(amount, market.currency, locale=market.locale), market) == amount


@pytest.mark.parametrize(("code", "shown", "amount"), [
    ("com", "$1,234.56", "1234.56"), ("co.uk", "£12.99", "12.99"), ("de", "1.234,56 €", "1234.56"),
    ("de", "1.234,56\u00a0€", "1234.56"), ("se", "1 234,56 kr", "1234.56"), ("se", "1\u00a0234,56\u00a0kr", "1234.56"),
])
def test_prices_as_the_pages_show_them(code: str, shown: str, amount: str) -> None:
    assert parse_money(shown, MARKETPLACES[code]) == Decimal(amount)


@pytest.mark.parametrize(("code", "shown"), [
    ("com", "$1.234,56"), ("de", "$12.99"), ("com", "free"), ("com", ""), ("se", "12.345.678 kr"), ("com", "1,23,4"),
])
def test_an_amount_that_cannot_be_parsed_is_none_never_a_guess(code: str, shown: str) -> None:
    assert parse_money(shown, MARKETPLACES[code]) is None


def test_refund_days_skip_the_marketplace_countrys_holidays_only() -> None:
    # 1 May 2026 is a Friday and a German public holiday, not a Danish one
    assert business_days_after(date(2026, 4, 30), 1, "DE") == date(2026, 5, 4)
    assert business_days_after(date(2026, 4, 30), 1, "DK") == date(2026, 5, 1)
    # Maundy Thursday (2 April 2026) is a Danish public holiday, not a German one
    assert business_days_after(date(2026, 4, 1), 1, "DK") == date(2026, 4, 7)
    assert business_days_after(date(2026, 4, 1), 1, "DE") == date(2026, 4, 2)
    # Epiphany (6 January 2026, a Tuesday) is a Swedish public holiday
    assert business_days_after(date(2026, 1, 5), 1, "SE") == date(2026, 1, 7)
    assert business_days_after(date(2026, 6, 18), 5, "US") == date(2026, 6, 26)  # not 25: 19 June, Juneteenth


@pytest.mark.parametrize(("address", "code"), [
    ("https://www.amazon.com", "com"), ("https://www.amazon.co.uk", "co.uk"), ("https://www.amazon.de", "de"),
    ("https://www.amazon.se", "se"), ("http://127.0.0.1:8000", "com"), ("https://smile.amazon.de", "de"),
])
def test_the_marketplace_defaults_from_the_store_address(address: str, code: str) -> None:
    assert marketplace_for(Settings(_env_file=None, base_url=address).host) == code
    assert Settings(_env_file=None, base_url=address, marketplace="se").market.code == "se"


@pytest.mark.parametrize(("code", "shown", "currency"), [
    ("com", "1.234,56 €", "EUR"), ("de", "$12.99", "USD"), ("com", "1 234,56 kr", "SEK"), ("se", "£3.50", "GBP"),
    ("de", "DKK 299,00", "DKK"), ("de", "12,99 €", None), ("com", "free", None), ("com", "1.234,56", None),
])
def test_a_price_in_another_currency_is_named(code: str, shown: str, currency: str | None) -> None:
    assert currency_shown(shown, MARKETPLACES[code]) == currency


def test_a_price_in_another_currency_is_a_warning_naming_both_once() -> None:
    _warn_other_currency.cache_clear()
    with structlog.testing.capture_logs() as logs:
        assert priced("1.234,56 €", MARKETPLACES["com"]) == (None, None)
        assert priced("19,50 €", MARKETPLACES["com"]) == (None, None)
        assert priced("$19.50", MARKETPLACES["com"]) == ("19.50", "USD")
    (warning,) = logs
    assert warning["log_level"] == "warning" and (warning["currency"], warning["marketplace_currency"]) == ("EUR", "USD")
    assert "prices in EUR, not in USD" in warning["message"] and "--marketplace de" in warning["message"]
