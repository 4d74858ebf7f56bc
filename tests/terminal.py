"""The tool on a pseudo-terminal, as a person runs it."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def on_terminal(env: dict[str, str], cwd: Path, *args: str, stream: str = "stdout",
                columns: int = 80) -> tuple[str, str, int]:
    """Run the tool with one stream (stdout or stderr) on a pseudo-terminal of that many columns:
    what the terminal showed (escapes removed), the other stream, and the exit code."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    streams = {"stdout": terminal, "stderr": subprocess.PIPE} if stream == "stdout" else \
        {"stdout": subprocess.PIPE, "stderr": terminal}
    process = subprocess.Popen([sys.executable, "-m", "automation.cli", *args], cwd=cwd,
                               env={**env, "TERM": "xterm", "COLUMNS": str(columns)}, stdin=subprocess.DEVNULL,
                               text=True, **streams)
    os.close(terminal)
    screen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        screen += chunk
    other = process.communicate(timeout=120)[0 if stream == "stderr" else 1]
    os.close(controller)
    return ANSI.sub("", screen.decode(errors="replace")), other, process.returncode
