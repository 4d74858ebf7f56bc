"""The language the tool speaks (en, da, de, sv): its gettext catalogs, chosen once per process
(--language, else ORDERCANCEL_LANGUAGE, else the locale, else English), and the dates, money and
durations it writes, formatted by Babel for that language."""
from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "da", "de", "sv")
DOMAIN = "ordercancel"
CATALOGS = Path(__file__).resolve().parent / "locale"
# Babel's locale for a language when the environment's locale does not name the country
COUNTRY_LOCALE = {"en": "en_US", "da": "da_DK", "de": "de_DE", "sv": "sv_SE"}
# where a POSIX program reads its message language, first set wins (as GNU gettext and Python's gettext.find)
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@dataclass(frozen=True)
class Speech:
    language: str  # one of LANGUAGES
    locale: str  # Babel's, for dates, money and numbers: da_DK, en_GB...
    translations: gettext.NullTranslations


_speech = Speech("en", "en_US", gettext.NullTranslations())  # English, the catalogs' source, until `use`


def N_(message: str) -> str:
    """Marks a sentence for the catalogs where it is written down (a table, a constant); it is
    translated where it is said (`_`), in the language of that moment."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a sentence with a singular and a plural (`ngettext` picks one by its count)."""
    return singular, plural


def _(message: str) -> str:
    """The sentence in the tool's language (English when its catalog has none)."""
    return _speech.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _speech.translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A word that reads differently by where it stands (`context`), such as a state."""
    return _speech.translations.pgettext(context, message)


def use(language: str, locale: str | None = None) -> None:
    """Speak this language from now on, in this process; `locale` is Babel's (default: the
    language's own country)."""
    global _speech
    if language not in LANGUAGES:
        raise ValueError(f"not a language the tool speaks: {language!r}")
    fits = locale is not None and locale.split("_")[0] == language
    _speech = Speech(language, locale if fits and locale else COUNTRY_LOCALE[language], translations(language))


def current() -> Speech:
    return _speech


def chosen(option: str | None, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The language to speak, and the environment's locale for Babel: --language, else
    ORDERCANCEL_LANGUAGE, else the locale's, else English. A value the tool does not speak is
    passed over here; the settings refuse it with their own one-line error."""
    language, locale = from_locale(environ)
    given = next((value for value in (option, environ.get("ORDERCANCEL_LANGUAGE")) if value in LANGUAGES), None)
    return given or language, locale


def from_locale(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The message language the environment's locale names (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the
    first one set decides), as gettext reads it: `de_DE.UTF-8` is German (locale de_DE), `da:en` is
    Danish; C, POSIX or a language the tool does not speak is English."""
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    for entry in value.split(":"):
        name = entry.split(".")[0].split("@")[0]
        if name in ("C", "POSIX"):
            break
        language = name.split("_")[0].lower()
        if language in LANGUAGES:
            return language, name if "_" in name else None
    return "en", None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's catalog: its compiled .mo (built at install), or, where it is missing or
    older than its .po (a source checkout, a catalog just edited), the .po itself read by Babel."""
    if language == "en":
        return gettext.NullTranslations()
    folder = CATALOGS / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    return gettext.GNUTranslations(io.BytesIO(compiled_po(po)))


def compiled_po(po: Path) -> bytes:
    """A .po file compiled to .mo bytes, as `pybabel compile` does (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo  # Babel's catalog code only when there is no .mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def date_text(day: date) -> str:
    """A date as the language writes it: Dec 8, 2026; 8. dec. 2026; 08.12.2026; 8 dec. 2026."""
    from babel.dates import format_date

    return format_date(day, "medium", locale=_speech.locale)


def moment_text(moment: datetime) -> str:
    """A moment in this machine's local time, to the minute, as the language writes it: the
    date as `date_text` writes it (never 12/1/26), then the time (Dec 1, 2026, 7:17 PM; 1. dec. 2026 19.17)."""
    from babel.dates import format_date, format_time, get_datetime_format

    local = moment.astimezone()
    pattern = get_datetime_format("medium", locale=_speech.locale).replace("'", "")
    return pattern.format(format_time(local, "short", locale=_speech.locale),
                          format_date(local, "medium", locale=_speech.locale))


def money_text(amount: Decimal | str, currency: str) -> str:
    """An amount in its currency as the language writes it: $1,234.50; 1.234,50 €; 1 234,50 kr."""
    from babel.numbers import format_currency

    return format_currency(Decimal(amount), currency, locale=_speech.locale)


def number_text(value: float, digits: int = 1) -> str:
    """A number with `digits` decimals as the language writes it (3.1, 3,1)."""
    from babel.numbers import format_decimal

    return format_decimal(round(value, digits), f"0.{'0' * digits}" if digits else "0", locale=_speech.locale)


def duration_text(days: int = 0, hours: int = 0, minutes: int = 0, seconds: float | None = None) -> str:
    """A duration in the language's short units, larger first, zero parts left out: 3 days 4 hr."""
    from babel.units import format_unit

    parts = [(days, "duration-day"), (hours, "duration-hour"), (minutes, "duration-minute")]
    shown = [format_unit(n, unit, length="short", locale=_speech.locale) for n, unit in parts if n]
    if seconds is not None and (seconds or not shown):
        shown.append(format_unit(seconds, "duration-second", length="short", locale=_speech.locale))
    return " ".join(shown) or format_unit(0, "duration-minute", length="short", locale=_speech.locale)
