"""Run the mock storefront: `python -m mock_store --port 8000 [--scenario demo] [--locale da]`."""
from __future__ import annotations

import argparse
import os

import uvicorn

from mock_store import seed
from mock_store.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="mock-store", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--scenario", default="demo", choices=sorted(seed.SCENARIOS))
    parser.add_argument("--locale", default="en", choices=["en", "da"])
    parser.add_argument("--admin-token", default=os.environ.get("MOCK_STORE_ADMIN_TOKEN"),
                        help="enables the admin API (default: $MOCK_STORE_ADMIN_TOKEN)")
    args = parser.parse_args()
    app = create_app(scenario=args.scenario, locale=args.locale, admin_token=args.admin_token)
    print(f"mock store at http://{args.host}:{args.port}  demo account: {seed.DEMO_EMAIL} / {seed.DEMO_PASSWORD}",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=1)


if __name__ == "__main__":
    main()
