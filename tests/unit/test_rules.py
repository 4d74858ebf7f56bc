"""Rules files, without a browser: whatever a file holds, one line naming the rule and the key."""
from __future__ import annotations

from pathlib import Path

import pytest

from automation.errors import Fail
from automation.runs.rules import read_rules

RULE = '[[rule]]\nname = "{name}"\naction = "{action}"\n'


def refused(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "rules.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(Fail) as caught:
        read_rules(path)
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message and len(message) < 600, message
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
    ('[[rules]]\nname = "x"\naction = "report"\n', "unknown table 'rules' (did you mean 'rule'?)"),
    ('[rule]\nname = "x"\naction = "report"\n', "key 'rule': each rule is a [[rule]] table (two brackets)"),
    ("", "key 'rule': the file has no [[rule]] table"),
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
