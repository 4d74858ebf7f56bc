"""Run the mock storefront: `python -m mock_store --port 8000 [--asset-port 8001] [--scenario demo] [--marketplace com|co.uk|de|se] [--locale en|da|de|sv] [--smtp HOST:PORT]`.
The storefront serves its pages on --port; its scripts and styles come from --asset-port, a
second origin, as the live site's come from its CDN."""
from __future__ import annotations

import argparse
import os
import threading

from mock_store import seed
from mock_store.mail import MailServer
from mock_store.model import StoreError
from mock_store.server import running_store


def main() -> None:
    parser = argparse.ArgumentParser(prog="mock-store", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--asset-port", type=int, default=None, help="the asset origin's port (default: --port + 1)")
    parser.add_argument("--scenario", default="demo", choices=sorted(seed.SCENARIOS))
    parser.add_argument("--locale", default="en", choices=["en", "da", "de", "sv"])
    parser.add_argument("--marketplace", default="com", choices=["com", "co.uk", "de", "se"])
    parser.add_argument("--admin-token", default=os.environ.get("MOCK_STORE_ADMIN_TOKEN"),
                        help="enables the admin API (default: $MOCK_STORE_ADMIN_TOKEN)")
    parser.add_argument("--smtp", metavar="HOST:PORT", default=None,
                        help="e-mail each cancellation, pending decision and seller answer to the account over SMTP "
                             "(HOST:PORT or smtp://HOST:PORT) or LMTP (lmtp://HOST:PORT)")
    args = parser.parse_args()
    if args.smtp:
        try:
            MailServer.parse(args.smtp)
        except StoreError as exc:
            parser.error(str(exc))
    with running_store(scenario=args.scenario, locale=args.locale, marketplace=args.marketplace, admin_token=args.admin_token, host=args.host,
                       port=args.port, asset_port=args.asset_port or args.port + 1, smtp=args.smtp) as running:
        print(f"mock store at {running.url} (assets from {running.asset_origin})  demo account: "
              f"{seed.DEMO_EMAIL} / {seed.DEMO_PASSWORD}", flush=True)
        try:
            threading.Event().wait()  # until Ctrl-C
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
