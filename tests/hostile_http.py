"""Small real loopback servers of raw sockets for the network edges: a store that drips its answer
one byte a second, one that streams an answer far larger than any screen, and a listener that
only records who connects to it."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Answer = Callable[[socket.socket, threading.Event], None]
PAGE_HEAD = b"<!doctype html><html><head><title>Order Details</title></head><body>"


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """A whole answer, status line first, one byte a second: every single wait is short."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n" + PAGE_HEAD
    for byte in answer + b"x" * 100_000:
        conn.sendall(bytes([byte]))
        if stop.wait(1.0):  # the store's pace, not a wait for the tool
            return


def huge(declared: bool) -> Answer:
    """A 256 MiB page, streamed as fast as the reader takes it: with its length in the headers,
    or (`declared=False`) with none, the end marked only by closing the connection."""
    size = 256 * 1024 * 1024

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        length = f"Content-Length: {size}\r\n" if declared else "Connection: close\r\n"
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{length}\r\n".encode())
        conn.sendall(PAGE_HEAD)
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        for _ in range(size // len(chunk)):
            if stop.is_set():
                return
            conn.sendall(chunk)
    return answer


def nothing(conn: socket.socket, stop: threading.Event) -> None:
    """Say nothing and close: the connection itself is what is recorded."""


def silence(conn: socket.socket, stop: threading.Event) -> None:
    """Keep the connection open and say nothing, until the server stops."""
    stop.wait()


class LoopbackServer:
    """Accepts on 127.0.0.1, records the first bytes of every connection (the request's head),
    and answers each the same way, in a thread of its own."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        self.connections = 0
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        break
                    head += data
            except OSError:
                pass
            self.heads.append(head)
            try:
                self.answer(conn, self.stop)
            except OSError:  # the reader went away: that is how every hostile answer should end
                pass

    def close(self) -> None:
        self.stop.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (closing alone does not)
        except OSError:
            pass
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@contextmanager
def serving(answer: Answer) -> Iterator[LoopbackServer]:
    server = LoopbackServer(answer)
    try:
        yield server
    finally:
        server.close()
