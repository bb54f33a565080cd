"""Metadata at scale on the embedded engine: the same operations at 100,000 objects vs at 1,000.

The stores are filled by inserting metadata documents in bulk through the engine (what a put
writes, without the blobs), then each operation runs ``OPS`` times on the filled store:
``put`` of a new small object, ``metadata`` of an existing one, ``exists`` of a missing name.
Goal: within 1.5x of the same at 1,000 objects. And ``list()`` of 100,000 names under 1 s.
"""
from __future__ import annotations

import os
import tempfile
import time

from _common import Ratio, within

SMALL, LARGE = 1_000, int(os.environ.get("OMEGA_BENCH_META_OBJECTS", "100000"))
OPS = 100
ROUNDS = 5


def _filled(tmp: str, count: int):
    import omegaml_core as om
    from omegaml_core.metadata import Metadata

    omega = om.setup(mongo_url=f"sqlite:///{tmp}/omega.db")
    docs = [Metadata(name=f"obj/{i:07d}", bucket="omega", prefix="data/", kind="python.data").to_doc()
            for i in range(count)]
    for start in range(0, count, 10_000):
        omega.engine.meta_collection.insert_many(docs[start:start + 10_000])
    return omega


def _per_op(fn, count: int = OPS) -> float:
    start = time.perf_counter()
    for i in range(count):
        fn(i)
    return (time.perf_counter() - start) / count


def _round(store, count: int, round_no: int) -> dict[str, float]:
    """One round of each operation on a store of ``count`` objects (per call, seconds)."""
    return {
        "put": _per_op(lambda i: store.put({"i": i}, f"new/{round_no}/{i}")),
        "metadata": _per_op(lambda i: store.metadata(f"obj/{(i * 7919 + round_no) % count:07d}")),
        "exists": _per_op(lambda i: store.exists(f"missing/{i}")),
    }


def run() -> list[Ratio]:
    """Rounds alternate between the two stores (the machine is shared); the best round of each counts."""
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as large_dir:
        stores = {SMALL: _filled(small_dir, SMALL).datasets, LARGE: _filled(large_dir, LARGE).datasets}
        best: dict[int, dict[str, float]] = {SMALL: {}, LARGE: {}}
        for round_no in range(ROUNDS):
            for count, store in stores.items():
                for op, seconds in _round(store, count, round_no).items():
                    best[count][op] = min(best[count].get(op, seconds), seconds)
        listing = min(_timed(stores[LARGE].list) for _ in range(3))
        assert len(stores[LARGE].list()) == LARGE + ROUNDS * OPS
        for store in stores.values():
            store.engine.close()
    small, large = best[SMALL], best[LARGE]
    results = [Ratio(f"{op} at {LARGE:,} objects vs at {SMALL:,} (per call)", large[op] * 1000, small[op] * 1000,
                     "within 1.5x", within(large[op], small[op], 1.5), unit="ms") for op in ("put", "metadata", "exists")]
    results.append(Ratio(f"list() of {LARGE:,} names vs 1 s", listing, 1.0, "under 1 s", listing < 1.0))
    return results


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
