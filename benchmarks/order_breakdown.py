"""Where one warm cancellation's time goes: each step of the real flow (`Cancellation.cancel`,
wrapped, nothing re-implemented), with its wall time and the CPU it cost in each process: this
Python process, Playwright's driver (node), Chromium (all its processes) and the store. Times are
exclusive (a step's own, without the steps inside it); `other` is the rest of an order.

The store runs in its own process; one browser, one context, signed in before the first order.
Prints one JSON line: per step the median wall ms and the mean CPU ms per process per order.

    python benchmarks/order_breakdown.py [--orders 30]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.batch_throughput import descendants  # noqa: E402
from benchmarks.cancel_latency import add_orders  # noqa: E402
from benchmarks.store_throughput import bench_store, tool_env  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError):
        return 0.0


class Meter:
    """CPU seconds so far of each process class, and exclusive step times."""

    def __init__(self, store_pid: int) -> None:
        self.store_pid = store_pid
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._stack: list[list[Any]] = []  # [name, wall of children, cpu of children]
        self.lost_cpu = self.lost_wall = 0.0

    def now(self) -> tuple[float, dict[str, float]]:
        """Wall time and CPU seconds of each process class, with the cost of measuring (reading
        /proc) taken out of this process's clocks."""
        wall, cpu = time.perf_counter(), time.thread_time()  # Playwright's sync API runs in this thread
        lost_wall = self.lost_wall
        shares: dict[str, float] = defaultdict(float)
        shares["python"] = cpu - self.lost_cpu
        store = set(descendants(self.store_pid))
        for pid in descendants(os.getpid())[1:]:
            if pid in store:
                continue
            try:
                name = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            shares["driver" if name.startswith("node") else "chromium"] += cpu_s(pid)
        shares["store"] = cpu_s(self.store_pid)
        self.lost_cpu += time.thread_time() - cpu
        self.lost_wall += time.perf_counter() - wall
        return wall - lost_wall, shares

    def wrap(self, owner: Any, attribute: str, step: str) -> None:
        original: Callable[..., Any] = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started, before = self.now()
            self._stack.append([step, 0.0, defaultdict(float)])
            try:
                return original(*args, **kwargs)
            finally:
                finished, after = self.now()
                wall = finished - started
                _, child_wall, child_cpu = self._stack.pop()
                spent = {k: after[k] - before.get(k, 0.0) for k in after}
                self.wall[step].append(wall - child_wall)
                for k, v in spent.items():
                    self.cpu[step][k] += v - child_cpu[k]
                if self._stack:
                    self._stack[-1][1] += wall
                    for k, v in spent.items():
                        self._stack[-1][2][k] += v
        setattr(owner, attribute, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=30)
    args = parser.parse_args()
    with bench_store() as store:
        url, admin = store.url, store.admin
        with tempfile.TemporaryDirectory() as scratch:
            os.environ.update(tool_env(url, ORDERCANCEL_STATE_DIR=scratch, ORDERCANCEL_LOG_FORMAT="json"))
            from automation.browser.launch import open_browser
            from automation.browser.storefront import Storefront
            from automation.logs import configure, get_logger
            from automation.order.cancellation import Cancellation, CancelRequest
            from automation.order.reasons import CancelReason
            from automation.settings import Settings
            from pages.cancel_items import CancelItemsPage

            configure("json", level=30)  # warnings only: the flow's info lines are not its cost
            meter = Meter(store.process.pid)
            for owner, attribute, step in [
                    (Cancellation, "cancel", "other"), (Storefront, "fetch", "fetch details"),
                    (Cancellation, "_open_form", "open Cancel items (load, read)"),
                    (CancelItemsPage, "tick", "tick an item"), (CancelItemsPage, "ticked", "read ticked boxes"),
                    (CancelItemsPage, "wait_until_submittable", "wait for the button"),
                    (CancelItemsPage, "choose_reason", "choose the reason"),
                    (CancelItemsPage, "submit", "submit and load the answer"),
                    (Cancellation, "_judge", "read the answer, judge")]:
                meter.wrap(owner, attribute, step)
            settings = Settings()
            ids = add_orders(admin, args.orders + 1, "121")
            with open_browser(settings) as browser:
                storefront = Storefront(browser, settings, "breakdown", get_logger())
                storefront.open_your_orders()  # signed in, before anything is measured
                storefront.fetch("/")  # the context's request API is warm
                meter.wall.clear()
                meter.cpu.clear()
                for order_id in ids:
                    result = Cancellation(storefront).cancel(CancelRequest(order_id, reason=CancelReason.ORDER_WAS_CREATED_BY_MISTAKE))
                    assert result.outcome.value == "cancelled", result.message
                storefront.close()
            orders = len(ids)
            steps = {step: {"calls_per_order": round(len(walls) / orders, 1),
                            "wall_ms_median": round(statistics.median(walls) * 1000, 1),
                            "cpu_ms_per_order": {k: round(v * 1000 / orders, 1) for k, v in meter.cpu[step].items()}}
                     for step, walls in meter.wall.items()}
            totals = defaultdict(float)
            for step in meter.cpu.values():
                for k, v in step.items():
                    totals[k] += v * 1000 / orders
            wall_per_order = sum(sum(w) for w in meter.wall.values()) * 1000 / orders
            print(json.dumps({"benchmark": "order_breakdown", "orders": orders, "wall_ms_per_order": round(wall_per_order),
                              "cpu_ms_per_order": {k: round(v) for k, v in totals.items()}, "steps": steps}))


if __name__ == "__main__":
    main()
