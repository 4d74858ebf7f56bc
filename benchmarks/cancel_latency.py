"""How long one warm cancellation takes, end to end, against the mock store in its own process.

"Warm" means the session is already saved (no sign-in). Two numbers:
- cli: wall time of `ordercancel cancel ID --json`, as a person or a cron job runs it
  (Python start, browser launch, the flow, browser close);
- flow: the flow alone (details, Cancel items, submit, summary, details again) in one
  running browser, as the tool's `duration_ms` reports it.

    python benchmarks/cancel_latency.py [--orders 10]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.store_throughput import bench_store, tool_env  # noqa: E402
from mock_store import seed  # noqa: E402


def add_orders(admin: httpx.Client, count: int, prefix: str) -> list[str]:
    ids = [f"{prefix}-{n:07d}-{n:07d}" for n in range(1, count + 1)]
    orders = [{"id": i, "account": seed.DEMO_EMAIL, "items": [{"id": f"k{n}s", "title": "Kettle", "price": "10"},
                                                             {"id": f"t{n}s", "title": "Teapot", "price": "5"}]}
              for n, i in enumerate(ids)]
    admin.post("/__admin/orders", json={"orders": orders}).raise_for_status()
    return ids


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values)), "min_ms": round(min(values)), "max_ms": round(max(values))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10)
    args = parser.parse_args()
    with bench_store() as store:
        url, admin = store.url, store.admin
        with tempfile.TemporaryDirectory() as scratch:
            env = tool_env(url, ORDERCANCEL_STATE_DIR=scratch)
            command = [sys.executable, "-m", "automation.cli"]
            subprocess.run([*command, "login"], env=env, check=True, capture_output=True)
            walls, flows = [], []
            for order_id in add_orders(admin, args.orders, "116"):
                started = time.monotonic()
                done = subprocess.run([*command, "cancel", order_id, "--json"], env=env, capture_output=True, text=True)
                walls.append((time.monotonic() - started) * 1000)
                result = json.loads(done.stdout)
                assert result["outcome"] == "cancelled", result
                flows.append(result["duration_ms"])
            events = admin.get("/__admin/events").json()
            print(json.dumps({"benchmark": "warm_cancellation", "orders": args.orders,
                              "cli_wall": summary(walls), "flow": summary(flows),
                              "sign_ins": sum(e["action"] == "sign_in" for e in events),
                              "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
