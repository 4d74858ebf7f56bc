"""How many Order Details pages per second one mock-store worker renders.

Starts `python -m mock_store` (one uvicorn worker) in its own process, signs in over HTTP, then
loads /your-orders/order-details with `wrk` when it is installed (a C load generator that leaves
the CPU to the server), else with an asyncio httpx client. Prints one JSON line per run.

    python benchmarks/store_throughput.py [--seconds 10] [--connections 16]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mock_store import seed  # noqa: E402
from mock_store.server import free_port  # noqa: E402

PATH = f"/your-orders/order-details?orderID={seed.DEMO_ORDER}"


def start_store(port: int, token: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "mock_store", "--port", str(port), "--asset-port",
                                str(free_port()), "--admin-token", token],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)  # polling a starting server's health check
    process.kill()
    raise SystemExit("the store did not start")


@dataclass(frozen=True)
class BenchStore:
    url: str
    admin: httpx.Client  # the store's admin API
    process: subprocess.Popen[bytes]


@contextmanager
def bench_store() -> Iterator[BenchStore]:
    """The mock store in its own process on a free port, with a client for its admin API; stopped
    at the end. Its CPU is not the tool's: the benchmarks count it apart or not at all."""
    port, token = free_port(), secrets.token_urlsafe(8)
    process = start_store(port, token)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as admin:
            yield BenchStore(url, admin, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def asset_origin(url: str) -> str:
    """The store's asset origin (its CDN), which the tool must be allowed to load scripts from."""
    return str(httpx.get(f"{url}/healthz").json()["asset_origin"])


def tool_env(url: str, **extra: str) -> dict[str, str]:
    """The environment `ordercancel` runs in against the mock store at `url`, as the demo account."""
    return {**os.environ, "ORDERCANCEL_BASE_URL": url, "ORDERCANCEL_ASSET_HOSTS": asset_origin(url),
            "ORDERCANCEL_EMAIL": seed.DEMO_EMAIL, "ORDERCANCEL_PASSWORD": seed.DEMO_PASSWORD,
            "ORDERCANCEL_LOG_FORMAT": "json", **extra}


def session_cookie(url: str) -> str:
    client = httpx.Client(base_url=url, follow_redirects=True)
    page = client.get("/ap/signin")
    token = re.search(r'name="appActionToken" value="([^"]+)"', page.text).group(1)
    client.post("/ap/signin", data={"appActionToken": token, "email": seed.DEMO_EMAIL, "password": seed.DEMO_PASSWORD})
    cookie = client.cookies.get("session-token")
    assert client.get(PATH).status_code == 200 and cookie
    return cookie


def with_wrk(url: str, cookie: str, seconds: int, connections: int) -> dict[str, float]:
    completed = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Cookie: session-token={cookie}",
                                url + PATH], capture_output=True, text=True, check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", completed.stdout).group(1))
    latency = re.search(r"Latency\s+([\d.]+\w+)", completed.stdout).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", completed.stdout)
    return {"pages_per_s": rate, "mean_latency": latency, "non_2xx": int(errors.group(1)) if errors else 0}


async def with_httpx(url: str, cookie: str, seconds: int, connections: int) -> dict[str, float]:
    done = 0
    bad = 0
    deadline = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, bad
        while time.monotonic() < deadline:
            response = await client.get(PATH)
            done += 1
            bad += response.status_code != 200

    async with httpx.AsyncClient(base_url=url, cookies={"session-token": cookie}) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.monotonic() - started
    return {"pages_per_s": round(done / elapsed, 1), "non_2xx": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    port, token = free_port(), secrets.token_urlsafe(8)
    process = start_store(port, token)
    try:
        url = f"http://127.0.0.1:{port}"
        cookie = session_cookie(url)
        tool = "wrk" if shutil.which("wrk") else "httpx"
        numbers = with_wrk(url, cookie, args.seconds, args.connections) if tool == "wrk" else \
            asyncio.run(with_httpx(url, cookie, args.seconds, args.connections))
        print(json.dumps({"benchmark": "order_details_pages_per_second", "load_generator": tool,
                          "connections": args.connections, "seconds": args.seconds, **numbers,
                          "cpus": os.cpu_count(), "python": platform.python_version(),
                          "machine": platform.machine()}))
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
