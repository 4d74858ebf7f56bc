"""Orders per second for a batch of 100 orders at several concurrencies, with the peak memory
(proportional set size, so pages shared between Chromium's processes count once) of the tool's
whole process tree: Python, Playwright's drivers and every Chromium process. Compared with the
way a recorded script works: a new browser and a fresh sign-in for every order.

The store runs in its own process and is not counted. Prints one JSON line per measurement.

    python benchmarks/batch_throughput.py [--orders 100] [--concurrency 1 2 4] [--script-orders 100]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.store_throughput import bench_store, tool_env  # noqa: E402
from mock_store import seed  # noqa: E402


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory:
    """Samples the process tree's total PSS every 50 ms while a command runs."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in descendants(self.root)))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def fresh_orders(admin: httpx.Client, count: int, prefix: str) -> list[str]:
    admin.post("/__admin/reset", json={"scenario": "demo"}).raise_for_status()
    ids = [f"{prefix}-{n:07d}-{n:07d}" for n in range(1, count + 1)]
    orders = [{"id": i, "account": seed.DEMO_EMAIL, "items": [{"id": f"k{n}s", "title": f"Kettle {n}", "price": "10"},
                                                             {"id": f"t{n}s", "title": f"Teapot {n}", "price": "5"}]}
              for n, i in enumerate(ids)]
    admin.post("/__admin/orders", json={"orders": orders}).raise_for_status()
    return ids


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    memory = PeakMemory(process.pid)
    stdout, _ = process.communicate()
    elapsed = time.monotonic() - started
    return elapsed, memory.stop(), stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--script-orders", type=int, default=100)
    args = parser.parse_args()
    with bench_store() as store:
        url, admin = store.url, store.admin
        tool = [sys.executable, "-m", "automation.cli"]
        base_env = tool_env(url)
        for concurrency in args.concurrency:
            ids = fresh_orders(admin, args.orders, "117")
            with tempfile.TemporaryDirectory() as scratch:
                batch = Path(scratch) / "orders.csv"
                batch.write_text("order_id,reason\n" + "".join(f"{i},mistake\n" for i in ids))
                env = {**base_env, "ORDERCANCEL_STATE_DIR": scratch}
                elapsed, peak, stdout = run_measured([*tool, "batch", str(batch), "--concurrency", str(concurrency),
                                                      "--json"], env)
            summary = json.loads(stdout)
            events = admin.get("/__admin/events").json()
            print(json.dumps({"way": "batch", "concurrency": concurrency, "orders": args.orders,
                              "counts": summary["counts"], "wall_s": round(elapsed, 1),
                              "orders_per_s": round(args.orders / elapsed, 2),
                              "orders_per_s_in_run": round(args.orders / (summary["duration_ms"] / 1000), 2),
                              "peak_pss_mib": round(peak / 1024), "sign_ins": sum(e["action"] == "sign_in" for e in events)}),
                  flush=True)
        if args.script_orders:
            ids = fresh_orders(admin, args.script_orders, "118")
            started, peak, done = time.monotonic(), 0, 0
            for order_id in ids:
                with tempfile.TemporaryDirectory() as scratch:  # no saved session: a fresh sign-in each time
                    _, order_peak, stdout = run_measured([*tool, "cancel", order_id, "--reason", "mistake", "--json"],
                                                         {**base_env, "ORDERCANCEL_STATE_DIR": scratch})
                peak = max(peak, order_peak)
                done += json.loads(stdout)["outcome"] == "cancelled"
            elapsed = time.monotonic() - started
            events = admin.get("/__admin/events").json()
            print(json.dumps({"way": "recorded_script", "orders": args.script_orders, "cancelled": done,
                              "wall_s": round(elapsed, 1), "orders_per_s": round(args.script_orders / elapsed, 2),
                              "peak_pss_mib": round(peak / 1024), "sign_ins": sum(e["action"] == "sign_in" for e in events)}),
                  flush=True)


if __name__ == "__main__":
    main()
