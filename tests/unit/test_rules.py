"""Rules files, without a browser: whatever a file holds, one line naming the rule and the key."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation.errors import CannotStart
from automation.marketplace import MARKETPLACES
from automation.runs.rules import read_rules
from automation.runs.sweep import Candidate, Decider
from pages.order_details import OrderedItem, OrderSummary
from pages.your_orders import OrderCard

PYDANTIC_WORDS = ("Input should", "Field required", "Extra inputs", "Value error", "String should", "valid dictionary")
RULE = '[[rule]]\nname = "{name}"\naction = "{action}"\n'


def refused(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "rules.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(CannotStart) as caught:
        read_rules(path)
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message and len(message) < 600, message
    assert not [words for words in PYDANTIC_WORDS if words in message], message  # said in plain words
    return message


@pytest.mark.parametrize(("text", "says"), [
    (RULE.format(name="late", action="cancel") + 'placed_within = "99999999999d"\n',
     "rule 'late', key 'placed_within': '99999999999d' is too long a duration"),
    (RULE.format(name="late", action="cancel") + f'placed_within = "{"9" * 400}d"\n',
     "rule 'late', key 'placed_within'"),
    (RULE.format(name="deep", action="report") + "title = " + "[" * 200_000 + "]" * 200_000 + "\n",
     "rule 'deep', key 'title' (line 4): arrays or tables nested too deeply"),
    (RULE.format(name="deep", action="report") + "title = " + "{a = " * 100_000 + "}" * 100_000 + "\n",
     "rule 'deep', key 'title' (line 4): arrays or tables nested too deeply"),
    (RULE.format(name="rich", action="cancel") + f"total_over = {'9' * 5000}\n",
     "rule 'rich', key 'total_over' (line 4): a number of more than 4300 digits"),
    (RULE.format(name="rich", action="cancel") + f"placed_within = {'9' * 5000}\n",
     "rule 'rich', key 'placed_within' (line 4): a number of more than 4300 digits"),
    (RULE.format(name="typo", action="cancel") + 'titel = ["x"]\n',
     "rule 'typo': unknown key 'titel' (did you mean 'title'?)"),
    (RULE.format(name="typo", action="cancel") + 'title = "x"\n[rule.except]\nseler = "x"\n',
     "rule 'typo': unknown key 'except.seler' (did you mean 'except.seller'?)"),
    ('[[rules]]\nname = "x"\naction = "report"\n', "unknown table [[rules]] (did you mean [[rule]]?)"),
    ('[rules]\nname = "x"\naction = "report"\n', "unknown table [rules] (did you mean [[rule]]?)"),
    ('[[rule]]\nname = "x"\n', "rule 'x', key 'action' is missing (every rule needs a name and an action"),
    (RULE.format(name="typo", action="cancle"),
     "rule 'typo', key 'action' must be cancel, cancel_items or report, not 'cancle' (did you mean 'cancel'?)"),
    (RULE.format(name="x", action="report") + "placed_within = 45\n",
     "rule 'x', key 'placed_within': 45 is not a duration: write it in quotes with its unit, such as '45m'"),
    ('[rule]\nname = "x"\naction = "report"\n', "[rule] is one table: each rule is a [[rule]] table (two brackets)"),
    ("", "the file has no [[rule]] table"),
    (RULE.format(name="everything", action="cancel"),
     "rule 'everything', key 'action': 'cancel' with no matcher would match every open order"),
    (RULE.format(name="everything", action="cancel_items") + '[rule.except]\ntitle = "gift"\n',
     "rule 'everything', key 'action': 'cancel_items' with no matcher"),
    (RULE.format(name="both", action="cancel") + 'all = true\ntitle = "x"\n', "rule 'both', key 'all'"),
    (RULE.format(name="yes", action="cancel") + 'all = "yes"\n', "rule 'yes', key 'all'"),
    ('[[rule]]\nname = "two\\nlines"\naction = "report"\n', "rule 'two\\u000alines', key 'name'"),
    (RULE.format(name="bad", action="cancel") + f'title = ["{"(" * 5000}"]\n', "rule 'bad', key 'title'"),
    (RULE.format(name="late", action="cancel") + "placed_within = soon\n",
     "rule 'late', key 'placed_within' (line 4): Invalid value"),
    (b'[[rule]]\nname = "\xff"\n', "is not UTF-8"),
    # an empty matcher filters nothing, wherever it stands (an empty except would match every order)
    (RULE.format(name="oops", action="cancel_items") + "title = []\n", "rule 'oops', key 'title': an empty list"),
    (RULE.format(name="oops", action="cancel") + "product = []\n", "rule 'oops', key 'product': an empty list"),
    (RULE.format(name="oops", action="cancel") + 'seller = "  "\n', "rule 'oops', key 'seller': an empty seller"),
    (RULE.format(name="oops", action="cancel") + 'title = ["x"]\n[rule.except]\ntitle = []\n',
     "rule 'oops', key 'except.title': an empty list"),
    # a pattern that matches the empty text matches every title
    (RULE.format(name="oops", action="cancel") + 'title = [""]\n', "key 'title': '' matches an empty title"),
    (RULE.format(name="oops", action="cancel") + "title = ['case|']\n", "matches an empty title, so it matches every"),
    (RULE.format(name="oops", action="cancel") + "title = ['(?:laptop)*']\n", "matches an empty title"),
    # RE2: no look-around, no back-reference; said in one line (RE2 prints nothing of its own)
    (RULE.format(name="look", action="report") + "title = ['case(?!s)']\n",
     "rule 'look', key 'title': 'case(?!s)' is not a regular expression RE2 takes: invalid perl operator: (?!"),
    (RULE.format(name="back", action="report") + "title = ['(a)\\1']\n", "is not a regular expression RE2 takes"),
    (RULE.format(name="huge", action="report") + "title = ['((a{100}){100}){100}']\n", "RE2 takes"),
    # durations are ASCII digits: an Arabic-Indic or a full-width digit is not a number of days
    (RULE.format(name="late", action="cancel") + 'placed_within = "\u0661d"\n',
     "rule 'late', key 'placed_within': not a duration like '45m', '2h' or '1d'"),
    (RULE.format(name="late", action="cancel") + 'duplicate_within = "\uff11h"\n', "key 'duplicate_within': not a"),
    (RULE.format(name="late", action="cancel") + 'placed_within = "1\u00a0d"\n', "key 'placed_within': not a"),
    # every amount is over a negative one
    (RULE.format(name="cheap", action="cancel") + "total_over = -1\n",
     "rule 'cheap', key 'total_over': -1 is below zero"),
    (RULE.format(name="cheap", action="cancel_items") + "item_price_over = -0.01\n",
     "rule 'cheap', key 'item_price_over': -0.01 is below zero"),
    (RULE.format(name="cheap", action="cancel") + "total_over = nan\n", "key 'total_over'"),
    (RULE.format(name="odd", action="cancel") + 'product = ["B0CASE0001\\n"]\n', "key 'product'"),
])
def test_a_bad_rules_file_is_one_line_naming_the_rule_and_key(tmp_path: Path, text: str, says: str) -> None:
    assert says in refused(tmp_path, text)


def test_all_true_says_a_cancelling_rule_means_every_open_order(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULE.format(name="all", action="cancel") + 'all = true\n[rule.except]\ntitle = ["gift"]\n'
                    + RULE.format(name="list", action="report"))
    everything, listed = read_rules(path)
    assert everything.every and everything.except_ is not None and not everything.has_matchers()
    assert listed.action == "report" and not listed.every  # a report needs no matcher


def test_zero_amounts_and_ascii_durations_are_taken(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULE.format(name="filler", action="cancel_items") +
                    'title = ["filler"]\nitem_price_over = 0\nplaced_within = " 45m "\nduplicate_within = "1.5H"\n')
    (rule,) = read_rules(path)
    assert rule.item_price_over == 0
    assert rule.placed_within == timedelta(minutes=45) and rule.duplicate_within == timedelta(hours=1.5)


def test_a_title_pattern_takes_linear_time_whatever_the_store_writes(tmp_path: Path) -> None:
    """`(a+)+$` against 'aaa…a!' backtracks for ever in Python's re (2^n steps); the sweep matches
    titles with RE2, in time linear in the title."""
    path = tmp_path / "rules.toml"
    path.write_text(RULE.format(name="nested", action="cancel_items") + "title = ['(a+)+$', '(x|x)*y$', '\\bLENS\\b']\n")
    (rule,) = read_rules(path)
    crafted = "a" * 5000 + "!"
    started = time.monotonic()
    decisions = Decider([rule], MARKETPLACES["com"]).decide([order(crafted), order("x" * 5000 + "!")])
    assert time.monotonic() - started < 2
    assert decisions == []
    matched = Decider([rule], MARKETPLACES["com"]).decide([order("Camera lens cap")])
    assert [item.title for item in matched[0].items] == ["Camera lens cap"]  # still case-insensitive


def order(title: str) -> Candidate:
    number = f"113-{abs(hash(title)) % 10**7:07d}-0000001"
    card = OrderCard(number, "May 1", "$10.00", "Arriving", None, True)
    item = OrderedItem("B0ITEM0001", title, 1, "$10.00", None, False, None)
    return Candidate(card, datetime.now(UTC), OrderSummary(number, "May 1", "Arriving", [item], "/x", False))
