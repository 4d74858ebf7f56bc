"""The `ordercancel` entry point: answers `--version` at once, and imports the tool (Playwright,
pydantic, structlog, rich: about 0.4 s) only when a command needs it."""
from __future__ import annotations

import sys

from automation import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"ordercancel {__version__}")
        return
    from automation.cli.app import main as run_command  # deferred on purpose: see the module's docstring

    run_command()


if __name__ == "__main__":
    main()
