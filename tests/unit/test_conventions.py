"""The command line's conventions, without a browser: -h, help without Python types and with whole
summaries and exit codes, global options after the command, shell completion, and -q."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_help import COMMANDS

ORDER = "113-1234567-1234567"


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERCANCEL_", "_ORDERCANCEL"))}
    return subprocess.run([sys.executable, "-m", "automation.cli", *args], capture_output=True, text=True,
                          env={**clean, "COLUMNS": "80", **(env or {})}, cwd=cwd, timeout=60)


def test_the_help_lists_every_command_with_a_whole_summary() -> None:
    short, long = run("-h"), run("--help")
    assert short.returncode == 0 and short.stdout == long.stdout
    listed = short.stdout.split("Commands:", 1)[1]
    for command in COMMANDS:
        (line,) = [line for line in listed.splitlines() if line.strip().startswith(command + " ")]
        assert line.rstrip().endswith(".") and not line.rstrip().endswith("..."), line
    assert "--install-completion" in short.stdout and "-v, --verbose" in short.stdout and "-q, --quiet" in short.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_has_no_python_types_and_says_its_exit_codes(command: str) -> None:
    shown = run(command, "-h")
    assert shown.returncode == 0
    assert not re.search(r"<(?:list\[|str>|int>|path>)|\{[A-Z_]+\}", shown.stdout), shown.stdout
    codes = shown.stdout.split("Exit codes:", 1)[1]
    assert re.search(r"^\s+0\s+done", codes, re.MULTILINE) and re.search(r"^\s+2\s+bad input", codes, re.MULTILINE)
    assert "may also come after the command" in " ".join(shown.stdout.split())


def test_check_help_says_several_orders_give_an_array() -> None:
    shown = run("check", "--help").stdout
    assert "Usage: ordercancel check [OPTIONS] ORDER_ID..." in shown
    assert "exactly one JSON object" not in shown and "array" in shown


def test_global_options_are_taken_after_the_command_too(tmp_path: Path) -> None:
    before = run("--marketplace", "fr", "cancel", ORDER)
    after = run("cancel", ORDER, "--marketplace", "fr")
    for result in (before, after):
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == ("error: bad setting marketplace (--marketplace, ORDERCANCEL_MARKETPLACE) must be "
                                 "com, co.uk, de or se, not 'fr'\n")
    state = tmp_path / "state"
    logged_out = run("logout", "--state-dir", str(state), "-v")
    assert logged_out.returncode == 0 and logged_out.stdout == "no saved session\n" and state.is_dir()


def test_quiet_prints_only_what_failed_and_what_the_exit_code_means(tmp_path: Path) -> None:
    fine = run("-q", "logout", "--state-dir", str(tmp_path / "state"))
    assert fine.returncode == 0 and fine.stdout == "" and fine.stderr == ""
    refused = run("cancel", "113", "-q")
    assert refused.returncode == 2 and refused.stdout == ""
    failed, meaning = refused.stderr.splitlines()
    assert failed.startswith("error: not an order number: '113'")
    assert meaning == "exit 2: bad input or usage; nothing was done"


def test_shell_completion_completes_commands_and_installs_a_script() -> None:
    completed = run(env={"_ORDERCANCEL_COMPLETE": "complete_bash", "COMP_WORDS": "ordercancel ca", "COMP_CWORD": "1"})
    assert completed.returncode == 0 and completed.stdout.split() == ["cancel"]
    # the script --install-completion writes (--show-completion finds the shell from the process tree,
    # which a test runner's is not)
    script = run(env={"_ORDERCANCEL_COMPLETE": "source_bash"})
    assert script.returncode == 0 and "_ORDERCANCEL_COMPLETE=complete_bash" in script.stdout
    assert "complete -o default -F _ordercancel_completion ordercancel" in script.stdout
