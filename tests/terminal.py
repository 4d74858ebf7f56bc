"""The tool on a pseudo-terminal, as a person runs it."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def on_terminal(env: dict[str, str], cwd: Path, *args: str, stream: str = "stdout",
                columns: int = 80, raw: bool = False, term: str = "xterm") -> tuple[str, str, int]:
    """Run the tool with one stream (stdout, stderr, or "both") on a pseudo-terminal of that many
    columns: what the terminal showed (escapes removed, unless raw), the other stream ("" for
    both), and the exit code."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    streams = {"stdout": terminal, "stderr": subprocess.PIPE} if stream == "stdout" else \
        {"stdout": subprocess.PIPE, "stderr": terminal} if stream == "stderr" else \
        {"stdout": terminal, "stderr": terminal}
    process = subprocess.Popen([sys.executable, "-m", "automation.cli", *args], cwd=cwd,
                               env={**env, "TERM": term, "COLUMNS": str(columns)}, stdin=subprocess.DEVNULL,
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
    other = process.communicate(timeout=120)[0 if stream == "stderr" else 1] or ""
    os.close(controller)
    shown = screen.decode(errors="replace")
    return shown if raw else ANSI.sub("", shown), other, process.returncode


def answering(env: dict[str, str], cwd: Path, *args: str, answer: str | None,
              timeout_s: float = 120) -> tuple[str, str, int]:
    """Run the tool with its input and output on a pseudo-terminal, as a person types it: when the
    screen shows a `[y/N]` question, type the answer and Enter (None: expect no question). What
    the terminal showed (escapes removed), stderr, and the exit code."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "automation.cli", *args], cwd=cwd,
                               env={**env, "TERM": "xterm", "COLUMNS": "200"}, stdin=terminal, stdout=terminal,
                               stderr=subprocess.PIPE, text=True)
    os.close(terminal)
    screen, answered, deadline = b"", False, time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], deadline - time.monotonic())
        try:
            chunk = os.read(controller, 65536) if ready else b""
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        screen += chunk
        if answer is not None and not answered and b"[y/N]" in screen:
            os.write(controller, answer.encode() + b"\r")
            answered = True
    if process.poll() is None:
        process.kill()
    errors = process.communicate(timeout=30)[1]
    os.close(controller)
    assert answer is None or answered, f"no question came: {screen.decode(errors='replace')!r}"
    return ANSI.sub("", screen.decode(errors="replace")), errors, process.returncode


CONTROL = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07]*\x07|[\r\n]|[^\x1b\r\n]+")


def rows(raw: str) -> list[str]:
    """The rows a terminal shows at the end, from what was written to it: a carriage return goes
    back to the row's start, ESC[K / ESC[2K erase (the row), ESC[nA moves up; colours are ignored.
    A row where two things were written over each other shows both, as a terminal would."""
    lines, row, col = [""], 0, 0
    for match in CONTROL.finditer(raw):
        token = match.group(0)
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            lines += [""] * (row + 1 - len(lines))
        elif match.group(2) == "K":
            lines[row] = "" if match.group(1) == "2" else lines[row][:col]
        elif match.group(2) == "A":
            row = max(0, row - int(match.group(1) or 1))
        elif not token.startswith("\x1b"):
            line = lines[row].ljust(col)
            lines[row] = line[:col] + token + line[col + len(token):]
            col += len(token)
    return [line.rstrip() for line in lines]
