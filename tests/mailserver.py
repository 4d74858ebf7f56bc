"""A real IMAP server for the mail tests: Debian's Dovecot, started as a non-daemon (`dovecot -F`)
with its own configuration on free loopback ports, passwd-file users and a Maildir per user in a
temporary folder; mails reach it over LMTP, as a mail system delivers them. OAuth2 access tokens
(XOAUTH2) are checked by Dovecot against a small token service's introspection endpoint (RFC 7662)."""
from __future__ import annotations

import http.server
import imaplib
import json
import os
import pwd
import secrets
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mock_store.server import free_port

DOVECOT = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if Path(p).exists()), None)

CONFIG = """
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = ordercancel-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
"""


@dataclass(frozen=True)
class Box:
    """A mailbox user: the address the store mails, the login and its password."""
    user: str
    password: str

    @property
    def address(self) -> str:
        return f"{self.user}@example.test"


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    lmtp_port: int
    uid: int
    gid: int
    _count: int = 0

    @property
    def lmtp(self) -> str:
        """Where the mock store sends its mails (its --smtp)."""
        return f"lmtp://127.0.0.1:{self.lmtp_port}"

    def new_box(self) -> Box:
        """A fresh, empty mailbox (Dovecot reads its passwd-file again when it changes)."""
        self._count += 1
        box = Box(f"box{self._count}", secrets.token_urlsafe(18))
        with (self.root / "users").open("a") as users:
            users.write(f"{box.user}:{{PLAIN}}{box.password}:{self.uid}:{self.gid}::{self.root}/mail/{box.user}::\n")
        return box

    def url(self, box: Box, folder: str = "INBOX") -> str:
        return f"imap://{box.user}@127.0.0.1:{self.imap_port}/{folder}"

    def deliver(self, box: Box, raw: bytes) -> None:
        """A mail as a mail system delivers it (forged, huge or broken ones included)."""
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10) as lmtp:
            lmtp.sendmail("order-update@amazon.com", [box.address], raw)

    def files(self, box: Box) -> list[str]:
        """The Maildir's message files, by folder (new/ or cur/) and name: a flag a client sets, or
        a mail it reads with SELECT, renames or moves its file."""
        maildir = self.root / "mail" / box.user
        return sorted(f"{sub}/{f.name}" for sub in ("new", "cur") if (maildir / sub).is_dir()
                      for f in (maildir / sub).iterdir())

    def flags(self, box: Box) -> list[tuple[int, bytes]]:
        """Every message's flags, read with EXAMINE (which changes none)."""
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        try:
            imap.login(box.user, box.password)
            imap.select("INBOX", readonly=True)
            _, data = imap.fetch("1:*", "(UID FLAGS)")
            return sorted((int(line.split()[2]), line) for line in data if isinstance(line, bytes))
        finally:
            imap.logout()


class TokenService:
    """An OAuth2 provider's token introspection, as Dovecot's oauth2 passdb asks it: the tokens it
    issued are active, for their user; any other is not."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        tokens = self.tokens

        class Introspection(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the handler's protocol)
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                user = tokens.get((form.get("token") or [""])[0])
                answer = json.dumps({"active": "true", "username": user} if user else {"active": "false"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Introspection)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"

    def issue(self, box: Box) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = box.user
        return token

    def close(self) -> None:
        self.server.shutdown()


def _users() -> tuple[str, str, str, int, int]:
    """Dovecot's users: its own when run as root (its login process may not be root, nor may a
    mail user), else everything as this user."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    nobody = pwd.getpwnam("nobody")
    return "dovecot", "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:  # polling: dovecot -F gives no other signal that it listens
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"dovecot did not start: {detail}")
        time.sleep(0.05)


@contextmanager
def running_dovecot(introspection_url: str = "http://127.0.0.1:9/introspect") -> Iterator[Dovecot]:
    assert DOVECOT, "dovecot is not installed"
    root = Path(tempfile.mkdtemp(prefix="ordercancel-dovecot-"))
    internal, group, login, uid, gid = _users()
    root.chmod(0o711)  # the mail user (nobody, under root) reaches its Maildir
    (root / "mail").mkdir()
    os.chown(root / "mail", uid, gid)
    (root / "users").touch()
    # an OAuth2 access token is checked by the token service's introspection (RFC 7662); the tests'
    # token service is `TokenService`
    (root / "oauth2.conf").write_text(f"introspection_mode = post\nintrospection_url = {introspection_url}\n"
                                      "username_attribute = username\nactive_attribute = active\n"
                                      "active_value = true\n")
    server = Dovecot(root, free_port(), free_port(), uid, gid)
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=server.imap_port, lmtp_port=server.lmtp_port,
                                                     internal=internal, internal_group=group, login=login))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait_for(server.imap_port, process, root / "dovecot.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
