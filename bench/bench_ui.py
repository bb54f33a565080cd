"""omegaml-server web UI benchmarks: server time of the dataset listing and of a dataset's preview.

Server time is measured in-process (FastAPI's TestClient on the app ``om serve`` runs, signed in with a
UI session), so no network is included; each figure is the best of 5 requests after a warm-up.

- the dataset LIST page of a bucket holding ``OMEGA_BENCH_UI_OBJECTS`` (10,000) datasets, first page
  and a glob search, vs the Python API listing 50 names (``om.datasets.list(pattern)``). Reported; the
  page lists every name from the index (to count and page them) and reads the metadata of 50.
- the dataset PAGE of a ``OMEGA_BENCH_UI_ROWS`` (10M) x 3 float64 frame (``pandas.columnar``, 10 chunks
  of 1M rows), which shows 50 rows and charts of the first 1,000, vs the pandas plugin reading just
  the first chunk's Parquet file into a DataFrame. Goal: within 2x for the first rows (with and without
  a filter); a window halfway into a chunk decodes the chunk up to it and is reported.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _common import Ratio, best_of, within

OBJECTS = int(os.environ.get("OMEGA_BENCH_UI_OBJECTS", "10000"))
ROWS = int(os.environ.get("OMEGA_BENCH_UI_ROWS", "10000000"))


def _app(tmp: Path, omega):
    """The server's app on ``omega`` and a TestClient signed in as an admin of every bucket."""
    import warnings

    from omegaml_server.accounts import Accounts
    from omegaml_server.app import create_app
    from omegaml_server.settings import Settings
    from omegaml_server.ui.context import SESSION_COOKIE

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    url = f"sqlite:///{tmp / f'accounts-{id(omega)}.db'}"
    accounts = Accounts(url)
    accounts.create_user("bench")
    key = accounts.create_key("bench").secret
    accounts.grant("bench", "*", "admin")
    app = create_app(Settings(accounts_url=url), accounts, omega)
    client = TestClient(app)
    token, _ = app.state.ui.sessions.start("bench", key)
    client.cookies.set(SESSION_COOKIE, token, path="/ui")
    return client


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")


def _timed(client, path: str) -> float:
    _get(client, path)  # warm-up
    return best_of(lambda: _get(client, path), repeat=5)


def bench_listing(tmp: Path) -> list[Ratio]:
    import omegaml_core as om

    omega = om.setup(mongo_url=f"sqlite:///{tmp / 'list.db'}")
    started = time.perf_counter()
    for i in range(OBJECTS):
        omega.datasets.put({"i": i}, f"d{i:05d}")
    print(f"   (wrote {OBJECTS:,} datasets in {time.perf_counter() - started:.0f} s)", flush=True)
    client = _app(tmp, omega)
    fifty = "d000[0-4]?"  # 50 names
    assert len(omega.datasets.list(fifty)) == 50
    baseline = best_of(lambda: omega.datasets.list(fifty), repeat=5)
    first = _timed(client, "/ui/b/omega/datasets")
    later = _timed(client, f"/ui/b/omega/datasets?p={OBJECTS // 100}")
    search = _timed(client, "/ui/b/omega/datasets?q=d09*")
    return [
        Ratio(f"UI dataset list page 1 ({OBJECTS:,} objects) vs list of 50", first, baseline, "report", True),
        Ratio(f"UI dataset list page {OBJECTS // 100} ({OBJECTS:,} objects) vs list of 50", later, baseline,
              "report", True),
        Ratio(f"UI dataset list, glob d09* ({OBJECTS:,} objects) vs list of 50", search, baseline, "report", True),
    ]


def bench_preview(tmp: Path) -> list[Ratio]:
    import numpy as np
    import pandas as pd

    import omegaml_core as om

    omega = om.setup(mongo_url=f"sqlite:///{tmp / 'preview.db'}")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(ROWS), "b": rng.normal(size=ROWS), "c": np.arange(ROWS, dtype=float)})
    started = time.perf_counter()
    omega.datasets.put(frame, "big")
    del frame
    meta = omega.datasets.metadata("big")
    chunks = meta.kind_meta["chunks"]
    print(f"   (wrote {ROWS:,} rows in {len(chunks)} chunks in {time.perf_counter() - started:.0f} s)", flush=True)
    backend = omega.datasets.backend(meta.kind)
    bound = backend.bind(meta) if hasattr(backend, "bind") else backend
    from omegaml_pandas.frames import decode_columns

    labels = decode_columns(meta.kind_meta["columns"])

    def first_chunk() -> None:
        table = bound._read_chunk(chunks[0], None, meta.kind_meta)
        bound._finish(table, labels, None, [], meta.kind_meta)

    first_chunk()
    baseline = best_of(first_chunk, repeat=5)
    client = _app(tmp, omega)
    preview = _timed(client, "/ui/b/omega/datasets/big")
    middle = ROWS // 2 + chunks[0]["rows"] // 2  # halfway into a chunk: the worst case
    deep = _timed(client, f"/ui/b/omega/datasets/big?offset={middle}")
    filtered = _timed(client, "/ui/b/omega/datasets/big?where=a__gt%3D0.5")
    return [
        Ratio(f"UI dataset page, {ROWS:,} rows, first 50 vs read chunk 1", preview, baseline, "within 2x",
              within(preview, baseline, 2)),
        Ratio(f"UI dataset page, {ROWS:,} rows, 50 at offset {middle:,} vs read chunk 1", deep, baseline,
              "report", True),
        Ratio(f"UI dataset page, {ROWS:,} rows, filter a>0.5 vs read chunk 1", filtered, baseline, "within 2x",
              within(filtered, baseline, 2)),
    ]


def run() -> list[Ratio]:
    with tempfile.TemporaryDirectory() as tmp:
        return bench_preview(Path(tmp)) + bench_listing(Path(tmp))
