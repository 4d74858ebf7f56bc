"""Can the batch's workers share one Playwright driver and one browser while keeping the sync page
objects and use case? A probe, not the tool's code: one `sync_playwright`, one browser, and N
greenlets in one thread, each with its own context (a Storefront) running the real use case
(`Cancellation.cancel`) on its share of the orders.

Why greenlets: Playwright's sync API is greenlets over one asyncio loop (a "dispatcher" greenlet
runs the loop; a sync call parks its caller's greenlet until its future is done, and several may
be parked at once: that is how the sync API runs event handlers). So worker greenlets started
from the loop interleave at every wait on the browser, in one thread, with one driver. Blocking
calls that are not Playwright's (plain HTTP reads, SQLite, sleeps) hold every worker meanwhile.

Prints orders/s, peak PSS of this process tree, and the number of Playwright drivers and browser
processes seen, for each N, against the mock store in its own process.

    python benchmarks/shared_browser_probe.py [--orders 24] [--workers 1 2 4]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import greenlet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.batch_throughput import descendants, fresh_orders, pss_kib  # noqa: E402
from benchmarks.store_throughput import bench_store, tool_env  # noqa: E402

STORE: list[int] = []  # the store's process: in this tree, not in the tool's


def tool_tree() -> list[int]:
    store = {p for root in STORE for p in descendants(root)}
    return [p for p in descendants(os.getpid()) if p not in store]


class PeakMemory:
    """The peak of the summed PSS of this process tree but the store, sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak_kib, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in tool_tree()))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def processes(kind: bytes, but_not: bytes = b"\0\0") -> int:
    """Processes of the tool's tree whose command line holds `kind` and not `but_not`."""
    found = 0
    for pid in tool_tree():
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        # Debian's headless shell is a /bin/sh wrapper that stays the browser's parent: not a browser
        found += kind in line and but_not not in line and not line.startswith(b"/bin/sh")
    return found


def in_greenlets(browser: Any, work: list[Any]) -> None:
    """Each callable in its own greenlet, started from the driver's loop; returns when all ended."""
    loop = browser._loop  # the sync API's own loop (private: a probe may; the tool should not)
    done, left, errors = loop.create_future(), [len(work)], []

    def start(job: Any) -> None:
        def run() -> None:
            try:
                job()
            except BaseException as exc:  # noqa: BLE001  # handed to the waiting main greenlet
                errors.append(exc)
            finally:
                left[0] -= 1
                if not left[0]:
                    done.set_result(None)
        greenlet.greenlet(run).switch()

    for job in work:
        loop.call_soon(start, job)

    async def all_ended() -> None:
        await done

    browser._sync(all_ended())
    if errors:
        raise errors[0]


def probe(url: str, admin: Any, orders: int, workers: int) -> dict[str, Any]:
    from automation.browser.launch import open_browser
    from automation.browser.storefront import Storefront
    from automation.logs import get_logger
    from automation.order.cancellation import Cancellation, CancelRequest
    from automation.settings import Settings

    ids = fresh_orders(admin, orders, "117")
    shares = [ids[n::workers] for n in range(workers)]
    outcomes: list[str] = []
    seen = {"drivers": 0, "browsers": 0}

    def worker(share: list[str], browser: Any, settings: Settings) -> Any:
        def run() -> None:
            storefront = Storefront(browser, settings, "probe", get_logger())
            for order_id in share:
                outcomes.append(Cancellation(storefront).cancel(CancelRequest(order_id)).outcome.value)
                seen["drivers"] = max(seen["drivers"], processes(b"run-driver"))
                seen["browsers"] = max(seen["browsers"], processes(b"--remote-debugging-pipe", but_not=b"--type="))
            storefront.close()
        return run

    settings = Settings()
    memory = PeakMemory()
    started = time.monotonic()
    with open_browser(settings) as browser:
        in_greenlets(browser, [worker(share, browser, settings) for share in shares])
    wall = time.monotonic() - started
    return {"workers": workers, "orders": orders, "cancelled": outcomes.count("cancelled"), "wall_s": round(wall, 1),
            "orders_per_s": round(orders / wall, 2), "peak_pss_mib": round(memory.stop() / 1024),
            "drivers": seen["drivers"], "browsers": seen["browsers"], "load": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=24)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with bench_store() as store, tempfile.TemporaryDirectory() as scratch:
        STORE.append(store.process.pid)
        env = tool_env(store.url, ORDERCANCEL_STATE_DIR=scratch)
        subprocess.run([sys.executable, "-m", "automation.cli", "login"], env=env, check=True, capture_output=True)
        os.environ.update(env)  # the probe's Settings() reads the same variables as the tool
        from automation.logs import configure
        configure("console", logging.WARNING)
        for workers in args.workers:
            print(json.dumps(probe(store.url, store.admin, args.orders, workers)), flush=True)
            asyncio.set_event_loop(None)


if __name__ == "__main__":
    main()
