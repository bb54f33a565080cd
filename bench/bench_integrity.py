"""What checksums and signatures cost, measured in one run against the same operations without them.

- python.file put+get of 100 MB, and pandas put+get of 1M rows x 10 columns, with checksums
  (xxh3-128, computed while writing, verified while reading) vs the same with the kernel's
  internal switch ``integrity.ENABLED = False`` (no checksums written or verified). Goal: at most 1.1x.
- reads with ``OMEGA_STORE_KEY`` (keyed BLAKE3 verified) vs plain checksum reads, on the same
  objects: python.file get of 100 MB, pandas get of 1M rows, and a 100-tree RandomForest get.
  Goal: at most 1.05x.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from _common import Ratio, best_of, within

FILE_SIZE = int(os.environ.get("OMEGA_BENCH_FILE_MB", "100")) << 20
ROWS = int(os.environ.get("OMEGA_BENCH_ROWS", "1000000"))
BUFFER = 1 << 20
KEY = "bench-key-" + "x" * 32


@contextlib.contextmanager
def checksums(enabled: bool) -> Iterator[None]:
    from omegaml_core import integrity

    before, integrity.ENABLED = integrity.ENABLED, enabled
    try:
        yield
    finally:
        integrity.ENABLED = before


@contextlib.contextmanager
def store_key(key: str | None) -> Iterator[None]:
    before = os.environ.pop("OMEGA_STORE_KEY", None)
    if key:
        os.environ["OMEGA_STORE_KEY"] = key
    try:
        yield
    finally:
        os.environ.pop("OMEGA_STORE_KEY", None)
        if before is not None:
            os.environ["OMEGA_STORE_KEY"] = before


def _omega(tmp: str):
    import omegaml_core as om

    return om.setup(mongo_url=f"sqlite:///{tmp}/omega.db")


def _compare(name: str, fn: Callable[[], object], goal: float, repeat: int = 5,
             with_: Callable[[], contextlib.AbstractContextManager] = lambda: checksums(True),
             without: Callable[[], contextlib.AbstractContextManager] = lambda: checksums(False)) -> Ratio:
    """Alternate runs with and without, best of ``repeat`` each (the machine is shared)."""
    ours, base = [], []
    for _ in range(repeat):
        with without():
            base.append(best_of(fn, repeat=1))
        with with_():
            ours.append(best_of(fn, repeat=1))
    return Ratio(name, min(ours), min(base), f"within {goal}x", within(min(ours), min(base), goal))


def file_checksum_cost() -> list[Ratio]:
    data = os.urandom(FILE_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.bin"
        source.write_bytes(data)
        om = _omega(tmp)

        def put_get() -> None:
            om.datasets.put(source, "big")
            with om.datasets.get("big") as fh:
                while fh.read(BUFFER):
                    pass

        def get() -> None:
            with om.datasets.get("big", allow_unsigned=True) as fh:
                while fh.read(BUFFER):
                    pass

        cost = _compare(f"python.file put+get {FILE_SIZE >> 20} MB, checksums vs none", put_get, 1.1)
        with store_key(KEY):
            om.datasets.put(source, "big")
        keyed = _compare(f"python.file get {FILE_SIZE >> 20} MB, keyed BLAKE3 vs checksum", get, 1.05,
                         with_=lambda: store_key(KEY), without=lambda: store_key(None))
    return [cost, keyed]


def pandas_checksum_cost() -> list[Ratio]:
    from bench_pandas import make_frame  # the same 10 mixed columns as the pandas benchmarks

    frame = make_frame(ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        om = _omega(tmp)
        cost = _compare(f"pandas put+get {ROWS:,} rows x 10, checksums vs none",
                        lambda: (om.datasets.put(frame, "df"), om.datasets.get("df")), 1.1)
        with store_key(KEY):
            om.datasets.put(frame, "df")
        keyed = _compare(f"pandas get {ROWS:,} rows x 10, keyed BLAKE3 vs checksum",
                         lambda: om.datasets.get("df", allow_unsigned=True), 1.05,
                         with_=lambda: store_key(KEY), without=lambda: store_key(None))
    return [cost, keyed]


def model_keyed_read() -> list[Ratio]:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    with tempfile.TemporaryDirectory() as tmp:
        om = _omega(tmp)
        with store_key(KEY):
            om.models.put(model, "rf")
        return [_compare("sklearn get, 100-tree RandomForest, keyed BLAKE3 vs checksum",
                         lambda: om.models.get("rf", allow_unsigned=True), 1.05,
                         with_=lambda: store_key(KEY), without=lambda: store_key(None))]


def run() -> list[Ratio]:
    results = file_checksum_cost()
    for optional in (pandas_checksum_cost, model_keyed_read):
        try:
            results += optional()
        except ModuleNotFoundError as exc:
            print(f"   skipped {optional.__name__}: {exc}")
    return results
