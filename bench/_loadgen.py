"""A small HTTP/1.1 load generator on raw sockets (127.0.0.1 only): latencies and throughput without client overhead."""
from __future__ import annotations

import asyncio
import socket
import statistics
import time


def request_bytes(method: str, path: str, body: bytes, headers: dict[str, str], port: int) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode() + body


def _read_response(reader) -> tuple[int, bytes]:
    status_line = reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, reader.read(length)


def latencies(port: int, data: bytes, count: int, warmup: int = 100) -> list[float]:
    """Seconds per request, one keep-alive connection, requests one after another."""
    assert_local(port)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        times = []
        for i in range(warmup + count):
            start = time.perf_counter()
            sock.sendall(data)
            status, body = _read_response(reader)
            if status != 200:
                raise RuntimeError(f"status {status}: {body[:300]!r}")
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return times


def paired_latencies(a: tuple[int, bytes], b: tuple[int, bytes], count: int,
                     chunk: int = 50) -> tuple[list[float], list[float]]:
    """Latencies of two servers measured in alternating chunks, so that load from elsewhere hits both alike."""
    first, second = [], []
    for i in range(0, count, chunk):
        first += latencies(*a, min(chunk, count - i), warmup=5 if i else 100)
        second += latencies(*b, min(chunk, count - i), warmup=5 if i else 100)
    return first, second


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


def throughput(port: int, data: bytes, clients: int, seconds: float) -> float:
    """Requests per second with ``clients`` concurrent keep-alive connections for ``seconds``."""
    assert_local(port)

    async def client(deadline: float) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        try:
            while time.perf_counter() < deadline:
                writer.write(data)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head[:200])
                done += 1
        finally:
            writer.close()
        return done

    async def main() -> float:
        start = time.perf_counter()
        counts = await asyncio.gather(*(client(start + seconds) for _ in range(clients)))
        return sum(counts) / (time.perf_counter() - start)

    return asyncio.run(main())


def assert_local(port: int) -> None:
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is not a port")
