"""The tool against the recorded script, side by side in one run: `batch` at concurrency 1, 2 and 4,
each signing in as its first run would (and at 2 again with the session saved, as a scheduled
batch finds it after its first run), and the recorded script (`ordercancel cancel` per order in a
new process with no saved session: a new browser and a fresh sign-in each time); the same browser
binary, the same mock store (in its own process, not counted); then the cold starts a person
waits for (`--help`, `check ID` with a saved session). Prints one JSON line per measurement, then
a table.

Every number carries the 1-minute load average beside it (taken when the measurement ended): the
machine is shared, and only numbers taken side by side in one run compare. Memory is the peak of
the summed PSS (`/proc/PID/smaps_rollup`) over the tool's whole process tree, sampled every 50 ms;
CPU is the tree's user+system time (each process's last sample, so the final 50 ms are missed)
over the wall time, in % of one core.

    python benchmarks/side_by_side.py [--orders 24] [--concurrency 1 2 4] [--saved 2] [--script-orders 8] [--runs 6]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.batch_throughput import descendants, fresh_orders, pss_kib  # noqa: E402
from benchmarks.store_throughput import BenchStore, bench_store, tool_env  # noqa: E402
from mock_store import seed  # noqa: E402

# What a person runs: the console script beside this Python, else the module.
SCRIPT = Path(sys.executable).with_name("ordercancel")
TOOL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "automation.cli"]


def load() -> float:
    return round(os.getloadavg()[0], 2)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except (OSError, IndexError):
        return 0.0


class Tree:
    """Samples a process tree every 50 ms: the peak of its summed PSS, and each process's last CPU
    time (a Chromium process may outlive its parent's wait, so the kernel's child totals miss it)."""

    def __init__(self, root: int) -> None:
        self.root, self.peak_kib = root, 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            pids = descendants(self.root)
            self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in pids))
            for pid in pids:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_s(pid))

    def stop(self) -> tuple[int, float]:
        self._stop.set()
        self._thread.join()
        return self.peak_kib, sum(self.cpu.values())


def measured(args: list[str], env: dict[str, str]) -> dict[str, object]:
    """One tool process: wall time, peak PSS of its tree, CPU of its tree, its stdout."""
    started = time.monotonic()
    process = subprocess.Popen([*TOOL, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    tree = Tree(process.pid)
    stdout, _ = process.communicate()
    wall = time.monotonic() - started
    peak_kib, cpu = tree.stop()
    return {"wall_s": wall, "peak_kib": peak_kib, "cpu_s": cpu, "stdout": stdout}


def batch(store: BenchStore, orders: int, concurrency: int, saved: bool = False) -> dict[str, object]:
    """A batch in a fresh state folder: it signs in, unless `saved`, where a `login` before it (not
    measured) saved the session, as a scheduled batch finds it after its first run."""
    ids = fresh_orders(store.admin, orders, "117")
    with tempfile.TemporaryDirectory() as scratch:
        rows = Path(scratch) / "orders.csv"
        rows.write_text("order_id,reason\n" + "".join(f"{i},mistake\n" for i in ids))
        env = tool_env(store.url, ORDERCANCEL_STATE_DIR=scratch)
        if saved:
            subprocess.run([*TOOL, "login"], env=env, check=True, capture_output=True)
        run = measured(["batch", str(rows), "--concurrency", str(concurrency), "--json"], env)
    counts = json.loads(str(run["stdout"]))["counts"]
    wall = float(run["wall_s"])  # type: ignore[arg-type]
    return {"way": f"batch -c {concurrency}" + (", session saved" if saved else ""), "orders": orders, "counts": counts, "wall_s": round(wall, 1),
            "orders_per_s": round(orders / wall, 2), "cpu_pct": round(100 * float(run["cpu_s"]) / wall),  # type: ignore[arg-type]
            "peak_pss_mib": round(int(run["peak_kib"]) / 1024), "load": load()}  # type: ignore[call-overload]


def recorded_script(store: BenchStore, orders: int) -> dict[str, object]:
    ids = fresh_orders(store.admin, orders, "118")
    started, cpu, peak, done = time.monotonic(), 0.0, 0, 0
    for order_id in ids:
        with tempfile.TemporaryDirectory() as scratch:  # no saved session: a fresh sign-in each time
            run = measured(["cancel", order_id, "--reason", "mistake", "--json"],
                           tool_env(store.url, ORDERCANCEL_STATE_DIR=scratch))
        peak, cpu = max(peak, int(run["peak_kib"])), cpu + float(run["cpu_s"])  # type: ignore[call-overload, arg-type]
        done += json.loads(str(run["stdout"]))["outcome"] == "cancelled"
    wall = time.monotonic() - started
    return {"way": "recorded script", "orders": orders, "counts": {"cancelled": done}, "wall_s": round(wall, 1),
            "orders_per_s": round(orders / wall, 2), "cpu_pct": round(100 * cpu / wall),
            "peak_pss_mib": round(peak / 1024), "load": load()}


def cold(store: BenchStore, runs: int) -> dict[str, object]:
    """Medians of `--help` and of `check ID` with a saved session, each a new process."""
    def median_ms(args: list[str], env: dict[str, str]) -> int:
        walls = []
        for _ in range(runs):
            started = time.monotonic()
            subprocess.run([*TOOL, *args], env=env, capture_output=True, check=True)
            walls.append((time.monotonic() - started) * 1000)
        return round(statistics.median(walls))

    with tempfile.TemporaryDirectory() as scratch:
        env = tool_env(store.url, ORDERCANCEL_STATE_DIR=scratch)
        help_ms, help_load = median_ms(["--help"], env), load()
        subprocess.run([*TOOL, "login"], env=env, check=True, capture_output=True)
        check_ms = median_ms(["check", seed.DEMO_ORDER, "--json"], env)
    return {"way": "cold", "help_ms": help_ms, "help_load": help_load, "check_ms": check_ms, "check_load": load()}


def table(rows: list[dict[str, object]], cold_start: dict[str, object]) -> str:
    script = next((float(r["orders_per_s"]) for r in rows if r["way"] == "recorded script"), 0.0)  # type: ignore[arg-type]
    lines = ["| way | orders/s | × script | CPU (% of a core) | peak PSS (tree) | load |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = f"{float(r['orders_per_s']) / script:.1f}×" if script else "–"  # type: ignore[arg-type]
        lines.append(f"| {r['way']} | {r['orders_per_s']} | {ratio} | {r['cpu_pct']} % | {r['peak_pss_mib']} MiB | {r['load']} |")
    lines.append(f"\ncold `--help` median {cold_start['help_ms']} ms (load {cold_start['help_load']}); "
                 f"cold `check ID` median {cold_start['check_ms']} ms (load {cold_start['check_load']})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=24)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--saved", type=int, nargs="*", default=[2], help="concurrencies run again with a saved session")
    parser.add_argument("--script-orders", type=int, default=8)
    parser.add_argument("--runs", type=int, default=6, help="cold starts of each kind")
    args = parser.parse_args()
    # compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE set, every cold
    # start would compile the tool's sources again (~85 ms measured)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "automation", "pages"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    browser = os.environ.get("ORDERCANCEL_BROWSER_EXECUTABLE") or "Playwright's own"
    print(json.dumps({"browser": browser, "tool": TOOL[0], "cpus": os.cpu_count(), "load": load()}), flush=True)
    rows: list[dict[str, object]] = []
    with bench_store() as store:
        for concurrency in args.concurrency:
            rows.append(batch(store, args.orders, concurrency))
            print(json.dumps(rows[-1]), flush=True)
        for concurrency in args.saved:
            rows.append(batch(store, args.orders, concurrency, saved=True))
            print(json.dumps(rows[-1]), flush=True)
        if args.script_orders:
            rows.append(recorded_script(store, args.script_orders))
            print(json.dumps(rows[-1]), flush=True)
        cold_start = cold(store, args.runs)
        print(json.dumps(cold_start), flush=True)
    print(table(rows, cold_start))


if __name__ == "__main__":
    main()
