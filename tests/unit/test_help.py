"""`--help` and `--version` answer without importing the browser stack, and every command's
help shows a real example."""
from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = ["cancel", "check", "orders", "login", "logout", "batch", "sweep", "follow", "demo"]
HEAVY = ["playwright", "pydantic_settings", "structlog", "automation.cli.one_order", "automation.cli.many_orders",
         "automation.cli.demo"]


def _modules_loaded_by(*args: str) -> tuple[str, set[str]]:
    probe = ("import sys, runpy; sys.argv = ['ordercancel', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('automation.cli.launcher', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
    return done.stdout, set(done.stderr.split())


@pytest.mark.parametrize("args", [["--help"], ["--version"], []])
def test_help_and_version_import_no_browser_stack(args: list[str]) -> None:
    printed, loaded = _modules_loaded_by(*args)
    assert printed.strip()
    assert not loaded & set(HEAVY)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_shows_an_example(command: str) -> None:
    printed, loaded = _modules_loaded_by(command, "--help")
    examples = printed.split("Example", 1)[1]
    assert f"ordercancel {command}" in examples or f"ordercancel --headed {command}" in examples
    assert "playwright" not in loaded


def test_a_check_imports_no_browser_driver_nor_rich_tracebacks() -> None:
    """What `check` imports (its command's module and the logging): no Playwright client (a check
    reads over plain HTTP until a screen needs the browser), and not structlog's
    rich tracebacks and pretty-printer (the tool renders its own lines); rich itself still draws."""
    probe = ("import sys, automation.cli.one_order, automation.logs\n"
             "before = set(sys.modules)\nimport rich.console\n"
             "print('\\n'.join(sorted(before)), file=sys.stderr)\nprint(rich.console.Console.__name__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(done.stderr.split())
    assert "structlog" in loaded and "automation.settings" in loaded and done.stdout.strip() == "Console"
    assert not loaded & {"playwright.sync_api", "pygments", "rich.traceback", "rich.pretty"}


def test_the_console_script_exits_as_sys_exit_would_and_says_everything_first() -> None:
    """`launcher.run` skips the interpreter's teardown: its status is the one `sys.exit` gives, and
    what was printed, on stdout (a pipe, block-buffered) and stderr, all arrives."""
    from automation.cli.launcher import exit_status

    assert (exit_status(None), exit_status(3), exit_status(0)) == (0, 3, 0)
    probe = ("import sys\nfrom automation.cli import launcher\n"
             "def main():\n    print('x' * 70000)\n    print('said', file=sys.stderr)\n    sys.exit('bye')\n"
             "launcher.main = main\nlauncher.run()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout == "x" * 70000 + "\n" and done.stderr == "said\nbye\n"
