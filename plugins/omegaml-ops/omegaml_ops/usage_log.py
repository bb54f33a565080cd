"""REST requests per user and day, counted from omegaml-server's access log (``omegaml_server.access``).

The server logs one JSON line per request with the user and the bucket; a
handler counts them in memory and a background thread adds the counts to the
usage table every ``FLUSH_SECONDS`` (and at exit), so no request waits for the database.
"""
from __future__ import annotations

import atexit
import json
import logging
import threading
from collections import Counter
from datetime import datetime, timezone
from typing import Any

ACCESS_LOGGER = "omegaml_server.access"
FLUSH_SECONDS = 2.0
log = logging.getLogger(__name__)


class RequestCounter(logging.Handler):
    """Counts access-log lines per (user, bucket, day) and writes the counts to the usage table."""

    def __init__(self, engine: Any) -> None:
        super().__init__(logging.INFO)
        self.engine = engine
        self.counts: Counter = Counter()
        self.counts_lock = threading.Lock()  # not self.lock: logging.Handler holds that in emit()
        self.stopped = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = json.loads(record.getMessage())
        except ValueError:
            return
        if entry.get("user"):
            day = datetime.fromtimestamp(record.created, timezone.utc).date()
            with self.counts_lock:
                self.counts[(entry["user"], entry.get("bucket") or "", day)] += 1

    def flush_counts(self) -> None:
        from .usage import record

        with self.counts_lock:
            counts, self.counts = self.counts, Counter()
        for (user, bucket, day), n in counts.items():
            try:
                record(self.engine, "requests", n, bucket=bucket, username=user, day=day)
            except Exception as exc:
                log.warning("%d requests of %s not recorded: %s", n, user, exc)

    def run(self) -> None:
        while not self.stopped.wait(FLUSH_SECONDS):
            self.flush_counts()


def count_requests(engine: Any) -> RequestCounter:
    """Attach a RequestCounter to the server's access log (INFO enabled) and start its flushing thread."""
    logger = logging.getLogger(ACCESS_LOGGER)
    counter = RequestCounter(engine)
    logger.addHandler(counter)
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    threading.Thread(target=counter.run, name="ops-usage-flush", daemon=True).start()
    atexit.register(counter.flush_counts)
    return counter
