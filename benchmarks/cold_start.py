"""What a person waits for: `ordercancel --version` and `--help`, a cold `check ID` and a cold
`cancel ID` with a saved session (each a new process: Python start, browser launch, the flow,
browser close), and `check` of many orders in one process. Against the mock store in its own
process. Prints one JSON line.

    python benchmarks/cold_start.py [--runs 6] [--many 100]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.cancel_latency import add_orders  # noqa: E402
from benchmarks.store_throughput import bench_store, tool_env  # noqa: E402
from mock_store import seed  # noqa: E402

TOOL = [sys.executable, "-m", "automation.cli"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([*TOOL, *args], env=env, capture_output=True, text=True)
    return (time.monotonic() - started) * 1000, done.stdout


def median_ms(values: list[float]) -> int:
    return round(statistics.median(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--many", type=int, default=100)
    args = parser.parse_args()
    with bench_store() as store:
        url, admin = store.url, store.admin
        with tempfile.TemporaryDirectory() as scratch:
            env = tool_env(url, ORDERCANCEL_STATE_DIR=scratch)
            version = [timed(["--version"], env)[0] for _ in range(args.runs)]
            help_ = [timed(["--help"], env)[0] for _ in range(args.runs)]
            subprocess.run([*TOOL, "login"], env=env, check=True, capture_output=True)
            check = [timed(["check", seed.DEMO_ORDER, "--json"], env)[0] for _ in range(args.runs)]
            cancel = []
            for order_id in add_orders(admin, args.runs, "118"):
                wall, out = timed(["cancel", order_id, "--json"], env)
                assert json.loads(out)["outcome"] == "cancelled", out
                cancel.append(wall)
            many = add_orders(admin, args.many, "119")
            wall, out = timed(["check", *many, "--json"], env)
            assert all(r["outcome"] == "checked" for r in json.loads(out))
            print(json.dumps({"benchmark": "cold_start", "browser": os.environ.get("ORDERCANCEL_BROWSER_EXECUTABLE"),
                              "version_ms": median_ms(version), "help_ms": median_ms(help_),
                              "cold_check_ms": median_ms(check), "cold_cancel_ms": median_ms(cancel),
                              "check_many": {"orders": args.many, "wall_s": round(wall / 1000, 2),
                                             "orders_per_s": round(args.many / (wall / 1000), 1)},
                              "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
