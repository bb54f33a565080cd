"""omegaml-pandas: object columns that mix value types, on the embedded engine.

- put+get of a frame whose object column mixes str and int (stored as tagged text) vs the same frame
  with that column holding only str (stored as a plain Arrow string column); best of 3.
- what ordinary columns pay: finding mixed columns in a frame with a one-type object text column vs
  that frame's put+get (goal: a small share).

Size: ``OMEGA_BENCH_ROWS`` (1M).
"""
from __future__ import annotations

import os
import tempfile

from _common import Ratio, best_of, within

ROWS = int(os.environ.get("OMEGA_BENCH_ROWS", "1000000"))


def _frames(n: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    text = pd.Series(rng.integers(0, 10_000, n)).map("item-{}".format).to_numpy(dtype=object)
    mixed = text.copy()
    mixed[::2] = rng.integers(0, 10_000, len(mixed[::2])).tolist()  # every other value an int
    base = {"k": np.arange(n), "f": rng.random(n)}
    return (pd.DataFrame({**base, "o": pd.Series(mixed, dtype=object)}),
            pd.DataFrame({**base, "o": pd.Series(text, dtype=object)}))


def run() -> list[Ratio]:
    import omegaml_core as om
    from omegaml_pandas import mixed

    mixed_df, text_df = _frames(ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        store = om.setup(mongo_url=f"sqlite:///{tmp}/omega.db").datasets
        ours = best_of(lambda: store.get(store.put(mixed_df, "mixed").name))
        text = best_of(lambda: store.get(store.put(text_df, "text").name))
    detect = best_of(lambda: mixed.positions("text", text_df))
    return [Ratio(f"put+get {ROWS:,} rows, object column mixing str/int vs all str", ours, text,
                  "within 2.5x", within(ours, text, 2.5)),
            Ratio(f"finding mixed columns in {ROWS:,} rows of object text vs its put+get", detect, text,
                  "within 0.05x", within(detect, text, 0.05))]
