"""Settings: from command-line options, then ORDERCANCEL_* variables, then a .env file, then defaults."""
from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import stat
import urllib.parse
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from automation.errors import BadInput
from automation.marketplace import MARKETPLACES, Marketplace, marketplace_for

# The hosts the live Amazon pages load their scripts (and styles) from, read off the saved pages:
# the store's CDN, its image hosts (which also serve scripts), the client-side decryption library
# of Your Orders, and Order Details' own script host.
AMAZON_ASSET_HOSTS = ("m.media-amazon.com", "images-na.ssl-images-amazon.com", "images-eu.ssl-images-amazon.com",
                      "images-fe.ssl-images-amazon.com", "static.siege-amazon.com", "do6e2c3moa96p.cloudfront.net")


HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*")


def origin_of(entry: str, default_scheme: str = "https") -> str:
    """The one origin an address names, as the browser writes it (`scheme://host[:port]`, the
    default port left out): `scheme://host:port` exactly, a bare `host` or `host:port` over
    `default_scheme`. Raises ValueError, naming the entry, for anything that is not exactly one
    origin: a pattern (`*`), an empty entry, a path, credentials, a name no resolver would take."""
    entry = entry.strip()
    if not entry:
        raise ValueError("an empty entry (two commas in a row, or one at an end) names no host")
    parsed = urllib.parse.urlsplit(entry if "://" in entry else f"{default_scheme}://{entry}")
    host = parsed.hostname or ""
    try:
        port = parsed.port
    except ValueError:
        port = -1
    try:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if "*" in entry or parsed.scheme not in ("http", "https") or parsed.username or \
            parsed.password or parsed.path.strip("/") or parsed.query or parsed.fragment or port == -1 or \
            (literal is None and not HOST_NAME.fullmatch(host)):
        raise ValueError(f"{entry[:80]!r} is not one host or origin (scheme://host:port; no patterns, paths, "
                         "credentials or empty entries)")
    name = f"[{host}]" if literal is not None and literal.version == 6 else host
    default_port = {"http": 80, "https": 443}[parsed.scheme]
    return f"{parsed.scheme}://{name}" + (f":{port}" if port not in (None, default_port) else "")


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "order-cancel-assistant"


class Settings(BaseSettings):
    # no .env by default: the CLI names the one file it trusts (see trusted_env_file)
    model_config = SettingsConfigDict(env_prefix="ORDERCANCEL_", env_file=None, env_file_encoding="utf-8",
                                      extra="ignore", validate_default=True)

    base_url: str = "https://www.amazon.com"
    email: str | None = None
    password: SecretStr | None = None
    totp_secret: SecretStr | None = None
    # where run summaries go (Apprise URLs, white-space separated); they may hold passwords
    notify: SecretStr | None = None
    # the shopper's mailbox, where the store's e-mails arrive (imaps://user@host/INBOX), and its
    # password (an app password) or an OAuth2 access token (XOAUTH2)
    mailbox: str | None = None
    mail_password: SecretStr | None = None
    mail_token: SecretStr | None = None
    # the marketplace (default: from the store's host, www.amazon.de: de; com where it names none)
    marketplace: Literal["com", "co.uk", "de", "se"] | None = None
    # the display language to ask the site for; default: the account's own, read as it is
    language: Literal["en", "da", "de", "sv"] | None = None
    state_dir: Path = Field(default_factory=default_state_dir)
    artifacts_dir: Path | None = None
    headless: bool = True
    slow_mo_ms: float = Field(default=0, ge=0, le=10_000)
    # seconds between page loads per account; default: 1 on a real store, 0 on loopback (the mock)
    min_interval: float | None = Field(default=None, ge=0, le=60)
    # a batch's workers when --concurrency is not given; default: 2 on loopback (the mock), 1 on a real store
    concurrency: int | None = Field(default=None, ge=1, le=16)
    browser_executable: Path | None = None  # for headless work: the light headless shell
    headed_browser_executable: Path | None = None  # for --headed: a full Chromium (default: found on PATH)
    browser_endpoint: str | None = None
    # comma-separated hosts or origins (host or host:port, over HTTPS, or scheme://host:port) whose
    # scripts the store's pages need; default: the store's own CDN for Amazon hosts, none for others
    asset_hosts: str | None = None
    # console: lines for a person on stderr (warnings and errors; more with -v); json: JSON lines on stderr
    log_format: Literal["console", "json"] | None = None
    log_file: Path | None = None  # JSON lines appended here too (created 0600)
    timeout_s: float = Field(default=30, gt=0, le=600, description="per page load and per action")
    submit_timeout_s: float = Field(default=60, gt=0, le=600, description="for the store's answer to a cancel")

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        parsed = urllib.parse.urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"must be an http(s) address with a host, not {value[:80]!r}")
        if parsed.username or parsed.password:
            raise ValueError("must not hold credentials")
        return origin_of(f"{parsed.scheme}://{parsed.netloc}")  # as the browser writes it, for the routes

    @field_validator("browser_endpoint")
    @classmethod
    def _websocket(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urllib.parse.urlsplit(value.strip())
        if parsed.scheme not in ("ws", "wss") or not parsed.hostname:
            raise ValueError(f"must be a ws:// or wss:// address, not {value[:80]!r}")
        return value.strip()

    @field_validator("mailbox")
    @classmethod
    def _mailbox_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urllib.parse.urlsplit(value.strip())
        try:
            _ = parsed.port
        except ValueError:
            raise ValueError("has a port that is not a number") from None
        if parsed.scheme not in ("imap", "imaps") or not parsed.hostname or not parsed.username:
            raise ValueError("must be imaps://USER@HOST[:PORT]/FOLDER (or imap:// with STARTTLS, plain only on "
                             "loopback)")
        if parsed.password is not None:
            raise ValueError("must not hold a password: put it in ORDERCANCEL_MAIL_PASSWORD (or an OAuth2 token "
                             "in ORDERCANCEL_MAIL_TOKEN)")
        if parsed.query or parsed.fragment:
            raise ValueError("must not have a query or a fragment")
        return value.strip()

    @field_validator("asset_hosts")
    @classmethod
    def _origins(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        for entry in value.split(","):
            origin_of(entry)
        return value

    @field_validator("browser_executable", "headed_browser_executable", "artifacts_dir", "log_format", "log_file",
                     "marketplace", "language", "asset_hosts", "mail_password", "mail_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("totp_secret", mode="before")
    @classmethod
    def _base32(cls, value: object) -> object:
        """The secret as set-up pages show it (groups of four, any case) is the same secret."""
        if value is None or isinstance(value, SecretStr):
            return value
        secret = "".join(str(value).split()).upper().rstrip("=")
        if not secret:
            return None
        try:
            if len(base64.b32decode(secret + "=" * (-len(secret) % 8))) < 10:
                raise ValueError
        except (binascii.Error, ValueError):
            # the message names no character of the secret
            raise ValueError("is not a base32 secret of at least 16 characters (letters A-Z and digits 2-7)") from None
        return secret

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value) > 254 or any(ord(c) < 32 for c in value):
            raise ValueError("is not an e-mail address")
        return value.strip()

    @property
    def market(self) -> Marketplace:
        return MARKETPLACES[self.marketplace or marketplace_for(self.host)]

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).hostname or ""

    @property
    def account(self) -> str:
        """The account as records key it (the journal, the page-load pacing): its e-mail, lower case."""
        return (self.email or "").lower()

    @property
    def asset_origins(self) -> list[str]:
        """The origins, besides the store's own, that its pages may load scripts (and, when a
        person will look, style sheets) from: never documents, never credentials."""
        if self.asset_hosts is None:
            is_amazon = self.host.startswith("amazon.") or ".amazon." in f".{self.host}"
            entries = list(AMAZON_ASSET_HOSTS) if is_amazon else []
        else:
            entries = self.asset_hosts.split(",")
        return list(dict.fromkeys(origin_of(entry) for entry in entries))

    @property
    def page_interval_s(self) -> float:
        """The least time between two page loads on this account. A public order tool reports that
        the live store signs a session out after a few hundred rapid page loads; the bundled mock
        on a loopback address does not need the politeness."""
        if self.min_interval is not None:
            return self.min_interval
        return 0.0 if self.on_loopback else 1.0

    @property
    def on_loopback(self) -> bool:
        """The store is on this machine (the bundled mock): no politeness owed, and no network."""
        return self.host in ("127.0.0.1", "::1", "localhost")

    @property
    def default_concurrency(self) -> int:
        """Workers of a batch when not asked: 2 on a loopback store (on 2 cores the mock's batch is
        fastest at 2, `benchmarks/RESULTS.md`), 1 on a real one, where the account's page loads are
        spaced by `page_interval_s` across all workers, so a second worker only waits."""
        if self.concurrency is not None:
            return self.concurrency
        return 2 if self.on_loopback else 1

    @property
    def artifacts_path(self) -> Path:
        return self.artifacts_dir or self.state_dir / "artifacts"

    def secrets(self) -> list[str]:
        """Every secret value, for scrubbing anything written to disk."""
        return [s.get_secret_value() for s in (self.password, self.totp_secret, self.mail_password, self.mail_token)
                if s and s.get_secret_value()]

    def notify_urls(self) -> list[str]:
        return self.notify.get_secret_value().split() if self.notify else []


# Environment variables that hold secrets: read once into Settings, then removed from the process
# environment so that Playwright's driver and the browsers it starts never inherit them.
SECRET_VARIABLES = ("ORDERCANCEL_PASSWORD", "ORDERCANCEL_TOTP_SECRET", "ORDERCANCEL_NOTIFY", "ORDERCANCEL_MAIL_PASSWORD",
                    "ORDERCANCEL_MAIL_TOKEN")


def forget_secret_variables() -> None:
    for name in list(os.environ):
        if name.upper() in SECRET_VARIABLES:
            del os.environ[name]


class UntrustedEnvFile(BadInput):
    """A .env file the tool will not read secrets from; the message is one line."""


def trusted_env_file(path: Path) -> Path:
    """A .env file is read only when it is a regular file of this user's that no one else can read
    or write (mode 0600 or stricter)."""
    try:
        info = path.lstat()
    except OSError as exc:
        raise UntrustedEnvFile(f"cannot read the env file {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UntrustedEnvFile(f"the env file {path} is not a regular file")
    if info.st_uid != os.geteuid():
        raise UntrustedEnvFile(f"the env file {path} belongs to another user; it is not read")
    if info.st_mode & 0o077:
        raise UntrustedEnvFile(f"the env file {path} can be read or written by others (mode "
                               f"{stat.S_IMODE(info.st_mode):o}); run 'chmod 600 {path}'")
    return path
