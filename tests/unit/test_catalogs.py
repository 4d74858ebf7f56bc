"""The tool's words in every language: each sentence the code marks is in every catalog, each
catalog is complete and compiles, and the language is chosen as the README says."""
from __future__ import annotations

import ast
import gettext
import io
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from automation import language
from automation.language import CATALOGS, DOMAIN, LANGUAGES, chosen, compiled_po, date_text, use
from automation.order.wording import WORDING, say

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != "en"]  # English is the catalogs' source: their msgids
# the calls that mark a sentence, and which arguments are its singular, plural and context
MARKERS = {"_": ("id",), "N_": ("id",), "ngettext": ("id", "plural"), "Nn_": ("id", "plural"),
           "pgettext": ("context", "id")}
PLACEHOLDER = re.compile(r"\{(\w*)\}")

Key = tuple[str | None, str]  # (context, msgid)


def marked_in_code() -> dict[Key, str | None]:
    """Every sentence the code marks, read from its syntax tree (f-strings included, which pybabel
    does not read: a mark there is an error of its own), as (context, msgid) -> plural."""
    found: dict[Key, str | None] = {}
    for path in sorted((ROOT / "automation").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS:
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if len(args) >= len(MARKERS[node.func.id]):
                    fields = dict(zip(MARKERS[node.func.id], args, strict=False))
                    found[(fields.get("context"), fields["id"])] = fields.get("plural")
    return found


def inside_f_strings() -> list[str]:
    hidden = []
    for path in sorted((ROOT / "automation").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.name}:{call.lineno}" for call in ast.walk(node) if isinstance(call, ast.Call)
                           and isinstance(call.func, ast.Name) and call.func.id in MARKERS]
    return hidden


def catalog(path: Path):  # noqa: ANN201 (babel's Catalog)
    with path.open("rb") as source:
        return read_po(source)


def po_path(code: str) -> Path:
    return CATALOGS / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def entries(path: Path) -> dict[Key, object]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog(path) if m.id}


@pytest.fixture(autouse=True)
def english_again():
    yield
    use("en")


def test_no_sentence_is_marked_inside_an_f_string() -> None:
    assert inside_f_strings() == [], "pybabel does not read marks inside f-strings: format the sentence after"


@pytest.mark.parametrize("path", [CATALOGS / f"{DOMAIN}.pot", *map(po_path, TRANSLATED)],
                         ids=["pot", *TRANSLATED])
def test_every_sentence_of_the_code_is_in_the_catalog_and_nothing_else(path: Path) -> None:
    code, held = marked_in_code(), entries(path)
    missing = sorted(str(key) for key in code.keys() - held.keys())
    stale = sorted(str(key) for key in held.keys() - code.keys())
    assert not missing and not stale, f"run 'make catalogs' (missing: {missing}, stale: {stale})"
    plurals = {key: held[key].id[1] if isinstance(held[key].id, tuple) else None for key in code}  # type: ignore[attr-defined]
    assert plurals == code


def test_every_entry_of_the_wording_table_is_in_the_catalogs() -> None:
    held = entries(CATALOGS / f"{DOMAIN}.pot")
    for key, wording in WORDING.items():
        texts = [wording.message[0] if isinstance(wording.message, tuple) else wording.message, wording.next_step]
        for text in texts:
            if text and not PLACEHOLDER.fullmatch(text):  # "{error}", "{advice}": said as they come
                assert (None, text) in held, key


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalog_is_complete_and_keeps_every_placeholder(code: str) -> None:
    messages = [m for m in catalog(po_path(code)) if m.id]
    assert messages
    for message in messages:
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{code}: not translated: {ids[0]!r}"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[0])), f"{code}: {string!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalog_compiles_and_is_read_as_gettext_reads_it(code: str) -> None:
    compiled = gettext.GNUTranslations(io.BytesIO(compiled_po(po_path(code))))
    sample = entries(po_path(code))[(None, "the order is cancelled")]
    assert compiled.gettext("the order is cancelled") == sample.string  # type: ignore[attr-defined]
    use(code)
    assert language.current().translations.pgettext("state", "cancelled") != "cancelled"


@pytest.mark.parametrize(("option", "environment", "expected"), [
    ("da", {"ORDERCANCEL_LANGUAGE": "de", "LANG": "sv_SE.UTF-8"}, ("da", "sv_SE")),  # --language first
    (None, {"ORDERCANCEL_LANGUAGE": "de", "LANG": "sv_SE.UTF-8"}, ("de", "sv_SE")),
    (None, {"LANG": "de_DE.UTF-8"}, ("de", "de_DE")),
    (None, {"LANG": "de_AT.UTF-8"}, ("de", "de_AT")),
    (None, {"LC_ALL": "sv_SE.UTF-8", "LANG": "da_DK.UTF-8"}, ("sv", "sv_SE")),  # LC_ALL over LANG
    (None, {"LC_MESSAGES": "da_DK.UTF-8", "LANG": "de_DE.UTF-8"}, ("da", "da_DK")),
    (None, {"LANGUAGE": "da:en", "LANG": "en_US.UTF-8"}, ("da", None)),  # GNU gettext's list
    (None, {"LANG": "C.UTF-8"}, ("en", None)),
    (None, {"LANG": "fr_FR.UTF-8"}, ("en", None)),  # not spoken: English
    (None, {}, ("en", None)),
    (None, {"ORDERCANCEL_LANGUAGE": "fr", "LANG": "da_DK.UTF-8"}, ("da", "da_DK")),  # the settings refuse fr
])
def test_the_language_is_the_option_else_the_variable_else_the_locale(option: str | None, environment: dict[str, str],
                                                                     expected: tuple[str, str | None]) -> None:
    assert chosen(option, environment) == expected


def test_a_locale_of_another_language_only_chooses_that_languages_country() -> None:
    use("da", "sv_SE")
    assert language.current().locale == "da_DK"
    use("en", "en_GB")
    assert language.current().locale == "en_GB"


def test_say_speaks_the_catalogs_words_with_the_plural_the_count_needs() -> None:
    use("da")
    danish = entries(po_path("da"))
    one, many = danish[(None, "cancelled {count} item: {names}{heard}")].string  # type: ignore[attr-defined]
    assert say("cancelled", count=1, names="Kettle", heard="", refund_by="x")[0] == one.format(
        count=1, names="Kettle", heard="")
    message, next_step = say("cancelled", count=2, names="Kettle, Teapot", heard="", refund_by=date_text(date(2026, 12, 8)))
    assert message == many.format(count=2, names="Kettle, Teapot", heard="")
    assert "8. dec. 2026" in (next_step or "")  # Babel's Danish date
    use("en")
    assert say("cancelled", count=1, names="Kettle", heard="", refund_by="Dec 8, 2026")[0] == "cancelled 1 item: Kettle"
