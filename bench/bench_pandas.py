"""omegaml-pandas benchmarks: 1M rows x 10 mixed columns on the embedded engine.

- put+get of ``pandas.columnar`` vs ``df.to_parquet`` + ``pd.read_parquet`` on a local file (best of 3).
- put+get of ``pandas.columnar`` vs ``pandas.dfrows`` on the same rows (dfrows: one run, it takes ~100 s
  at 1M rows; ``OMEGA_BENCH_DFROWS_ROWS`` measures both on fewer rows, no scaling is applied).
- a filter selecting ~1% of rows of a frame stored in 100 chunks sorted by the filtered column vs a full get.
- peak memory of put and of get of a 10M-row frame vs the frame's in-memory size
  (``memory_usage(deep=True)``), each in a fresh subprocess. Method: RSS baseline after imports and a
  warm-up; the kernel's peak RSS (VmHWM) is reset just before the put/get (``/proc/self/clear_refs``);
  figure = VmHWM after it minus the baseline. For put this includes the frame itself (resident
  throughout); for get it is everything the get allocates, the returned frame included.

Sizes: ``OMEGA_BENCH_ROWS`` (1M), ``OMEGA_BENCH_DFROWS_ROWS`` (= rows), ``OMEGA_BENCH_BIG_ROWS`` (10M).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Ratio, best_of, faster, within

ROWS = int(os.environ.get("OMEGA_BENCH_ROWS", "1000000"))
DFROWS_ROWS = int(os.environ.get("OMEGA_BENCH_DFROWS_ROWS", str(ROWS)))
BIG_ROWS = int(os.environ.get("OMEGA_BENCH_BIG_ROWS", "10000000"))

MAKE_FRAME = '''
def make_frame(n, sort_by=None):
    import numpy as np, pandas as pd
    rng = np.random.default_rng(42)
    df = pd.DataFrame({
        "i64": rng.integers(0, 1_000_000, n), "i32": rng.integers(0, 1000, n).astype("int32"),
        "f64": rng.random(n), "f32": rng.random(n).astype("float32"), "flag": rng.random(n) > 0.5,
        "text": pd.Series(rng.integers(0, 10_000, n)).map("item-{}".format),
        "cat": pd.Categorical.from_codes(rng.integers(0, 5, n), ["a", "b", "c", "d", "e"]),
        "ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**9, n), unit="s"),
        "nullable": pd.array(np.where(rng.random(n) > 0.1, rng.integers(0, 100, n), None), dtype="Int64"),
        "key": np.arange(n),
    })
    return df.sort_values(sort_by, ignore_index=True) if sort_by else df
'''
exec(MAKE_FRAME)


def _omega(tmp: str):
    import omegaml_core as om

    return om.setup(mongo_url=f"sqlite:///{tmp}/omega.db")


def put_get_vs_parquet(df, tmp: str) -> Ratio:
    import pandas as pd

    om = _omega(tmp)
    path = Path(tmp) / "baseline.parquet"
    ours = best_of(lambda: om.datasets.get(om.datasets.put(df, "bench").name))
    base = best_of(lambda: (df.to_parquet(path), pd.read_parquet(path)))
    return Ratio(f"columnar put+get {len(df):,} rows vs to_parquet+read_parquet", ours, base,
                 "within 1.5x", within(ours, base, 1.5))


def put_get_vs_dfrows(df, tmp: str) -> Ratio:
    om = _omega(tmp)
    sample = df.iloc[:DFROWS_ROWS]
    ours = best_of(lambda: om.datasets.get(om.datasets.put(sample, "col").name))
    base = best_of(lambda: om.datasets.get(om.datasets.put(sample, "rows", kind="pandas.dfrows").name), repeat=1)
    return Ratio(f"columnar put+get vs pandas.dfrows, {len(sample):,} rows", ours, base,
                 "30x faster", faster(ours, base, 30))


def filter_vs_full_get(tmp: str) -> Ratio:
    om = _omega(tmp)
    df = make_frame(ROWS, sort_by="i64")
    om.datasets.put(df, "sorted", chunk_rows=max(ROWS // 100, 1))
    low = int(df["i64"].quantile(0.50))
    high = int(df["i64"].quantile(0.51))
    ours = best_of(lambda: om.datasets.get("sorted", i64__between=(low, high)))
    base = best_of(lambda: om.datasets.get("sorted"))
    selected = len(om.datasets.get("sorted", i64__between=(low, high))) / len(df)
    return Ratio(f"filter selecting {selected:.1%} of 100 sorted chunks vs full get", ours, base,
                 "within 0.3x", within(ours, base, 0.3))


# Peak memory of one operation: Python/NumPy allocations (tracemalloc, which NumPy reports to) plus
# Arrow's peak (the pool's high-water mark above what was allocated before the operation; an upper
# bound if the high-water mark was set earlier). RSS is not used: it keeps whatever the allocator has
# not returned from building the test frame.
PEAK = MAKE_FRAME + '''
import gc, json, resource, sys, omegaml_core as om, pandas, pyarrow, numpy
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096
def reset_peak():
    try:  # Linux: writing 5 resets the peak RSS (VmHWM) to the current RSS
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False
def peak():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
o = om.setup(mongo_url=f"sqlite:///{sys.argv[1]}/omega.db")
o.datasets.put(make_frame(10), "warm"); o.datasets.get("warm"); o.datasets.drop("warm")
gc.collect()
base = rss()
if sys.argv[2] == "put":
    df = make_frame(int(sys.argv[3]))
    size = int(df.memory_usage(deep=True).sum())
    gc.collect()
    exact = reset_peak()
    o.datasets.put(df, "big")
else:
    size = int(sys.argv[4])
    exact = reset_peak()
    df = o.datasets.get("big")
print(json.dumps({"peak": peak() - base, "size": size, "exact": exact}))
'''


def peak_memory(tmp: str) -> list[Ratio]:
    def run(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-c", PEAK, tmp, *args], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    put = run("put", str(BIG_ROWS))
    get = run("get", str(BIG_ROWS), str(put["size"]))
    return [Ratio(f"peak memory of put, {BIG_ROWS:,} rows (frame {put['size'] / 2**20:,.0f} MB) vs frame size",
                  put["peak"] / 2**20, put["size"] / 2**20, "within 2.5x", within(put["peak"], put["size"], 2.5), "MB"),
            Ratio(f"peak memory of get, {BIG_ROWS:,} rows vs frame size", get["peak"] / 2**20, get["size"] / 2**20,
                  "within 2.5x", within(get["peak"], get["size"], 2.5), "MB")]


def run() -> list[Ratio]:
    results = []
    df = make_frame(ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        results.append(put_get_vs_parquet(df, tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.append(filter_vs_full_get(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.append(put_get_vs_dfrows(df, tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.extend(peak_memory(tmp))
    return results
