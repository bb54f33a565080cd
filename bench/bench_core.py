"""Kernel benchmarks: cold start, and python.file put+get against a plain local file."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Ratio, best_of, within

FILE_SIZE = int(os.environ.get("OMEGA_BENCH_FILE_MB", "100")) << 20
BUFFER = 1 << 20


def cold_start() -> Ratio:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "OMEGA_HOME": home}
        env.pop("OMEGA_MONGO_URL", None)

        def python(code: str) -> None:
            subprocess.run([sys.executable, "-c", code], check=True, env=env)

        python("import omegaml_core as om; om.datasets.list()")  # create the database once
        ours = best_of(lambda: python("import omegaml_core as om; om.datasets.list()"), repeat=5)
        baseline = best_of(lambda: python("import pymongo"), repeat=5)
    return Ratio("cold start: import + datasets.list() vs import pymongo", ours, baseline, "report", True)


def file_put_get() -> Ratio:
    import omegaml_core as om_module

    data = os.urandom(FILE_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.bin"
        source.write_bytes(data)
        om = om_module.setup(mongo_url=f"sqlite:///{tmp}/omega.db")

        def baseline() -> None:
            with open(source, "rb") as src, open(Path(tmp) / "copy.bin", "wb") as dst:
                while chunk := src.read(BUFFER):
                    dst.write(chunk)
            with open(Path(tmp) / "copy.bin", "rb") as fh:
                while fh.read(BUFFER):
                    pass

        def ours() -> None:
            om.datasets.put(source, "big")
            with om.datasets.get("big") as fh:
                while fh.read(BUFFER):
                    pass

        ours_s = best_of(ours, repeat=3)
        base_s = best_of(baseline, repeat=3)
    return Ratio(f"python.file put+get {FILE_SIZE >> 20} MB vs local file write+read", ours_s, base_s,
                 "within 1.5x", within(ours_s, base_s, 1.5))


def run() -> list[Ratio]:
    return [cold_start(), file_put_get()]
