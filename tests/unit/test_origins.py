"""Origins, not hosts: each asset entry names exactly one origin (no patterns, none empty), and the
browser's resolver lets through the store's host and port and those origins' only."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from automation.browser.launch import launch_flags
from automation.settings import Settings, origin_of


@pytest.mark.parametrize(("entry", "origin"), [
    ("m.media-amazon.com", "https://m.media-amazon.com"),  # a bare host is its HTTPS origin
    ("cdn.example:8443", "https://cdn.example:8443"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),  # an origin given is exactly that origin
    (" HTTPS://Static.Example.COM:443/ ", "https://static.example.com"),  # as the browser writes it
    ("http://[::1]:8001", "http://[::1]:8001"),
])
def test_an_entry_is_one_origin(entry: str, origin: str) -> None:
    assert origin_of(entry) == origin


@pytest.mark.parametrize("entry", [
    "*", "*.amazon.com", "cdn.*", "", "  ", "cdn.example/static", "user:pw@cdn.example", "cdn.example:99999",
    "cdn.example:http", "ftp://cdn.example", "ws://cdn.example", "cdn.example?x=1", "cdn_example.com", "-cdn.example",
    "cdn..example", "cdn.example.",
])
def test_anything_but_one_origin_is_refused(entry: str) -> None:
    with pytest.raises(ValueError):
        origin_of(entry)


@pytest.mark.parametrize("value", ["*", "cdn.example,*", "a.example,,b.example", "a.example,", ",a.example"])
def test_a_wildcard_or_an_empty_entry_in_the_setting_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="asset_hosts"):
        Settings(_env_file=None, asset_hosts=value)


def test_the_store_address_is_written_as_the_browser_writes_it() -> None:
    assert Settings(_env_file=None, base_url="HTTPS://WWW.Amazon.de:443/gp/x").base_url == "https://www.amazon.de"


def resolver_rules(settings: Settings) -> list[str]:
    flag = next(f for f in launch_flags(settings) if f.startswith("--host-resolver-rules="))
    return flag.split("=", 1)[1].split(" , ")


def test_the_resolver_knows_the_store_and_asset_origins_by_host_and_port() -> None:
    settings = Settings(_env_file=None, base_url="http://127.0.0.1:8000", asset_hosts="http://127.0.0.1:8001,cdn.example")
    assert resolver_rules(settings) == ["MAP 127.0.0.1:8000 127.0.0.1:8000", "MAP 127.0.0.1:8001 127.0.0.1:8001",
                                        "MAP cdn.example:443 cdn.example:443", "MAP * ~NOTFOUND",
                                        "EXCLUDE *.awswaf.com"]  # AWS WAF's challenge hosts: routed per page


def test_amazon_and_its_cdn_are_reached_on_443_only() -> None:
    rules = resolver_rules(Settings(_env_file=None, base_url="https://www.amazon.com"))
    assert rules[0] == "MAP www.amazon.com:443 www.amazon.com:443" and rules[-2:] == ["MAP * ~NOTFOUND",
                                                                                      "EXCLUDE *.awswaf.com"]
    assert "MAP m.media-amazon.com:443 m.media-amazon.com:443" in rules and len(rules) == 9


@pytest.mark.parametrize(("address", "workers", "interval"), [("http://127.0.0.1:8000", 2, 0.0), ("http://[::1]:8000", 2, 0.0),
                                                              ("http://localhost:8000", 2, 0.0),
                                                              ("https://www.amazon.com", 1, 1.0),
                                                              ("http://10.0.0.5:8000", 1, 1.0)])
def test_a_batch_runs_two_workers_on_a_loopback_store_and_one_on_a_real_one(address: str, workers: int,
                                                                            interval: float) -> None:
    settings = Settings(_env_file=None, base_url=address)
    assert (settings.default_concurrency, settings.page_interval_s) == (workers, interval)
