"""Columnar frames: thousands of chunks never share a location, and readers racing writers never fail."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest


def test_a_frame_of_thousands_of_chunks_comes_back_exactly(omega, omega_engine):
    rows = 300_000 if omega_engine == "embedded" else 30_000  # the stand-in takes ~15 ms per GridFS file
    frame = pd.DataFrame({"i": np.arange(rows), "x": np.arange(rows) * 0.5})
    meta = omega.datasets.put(frame, "big", chunk_rows=100)
    assert len(meta.blobs) == len(set(meta.blobs)) == rows // 100
    pd.testing.assert_frame_equal(omega.datasets.get("big"), frame)


WRITER = """
import os, sys, numpy as np, pandas as pd, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
me, stop, rows = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
i = 0
while not os.path.exists(stop) and i < 2000:
    o.datasets.put(pd.DataFrame({"writer": np.full(rows, me), "round": np.full(rows, i)}), "raced", chunk_rows=100)
    i += 1
"""

READER = """
import json, sys, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
rows, wanted, min_versions = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
reads = failed = torn = 0
errors, seen = [], set()
# at least `wanted` reads, and on until the writers have replaced the frame `min_versions` times (a slow machine)
while reads < wanted or (len(seen) < min_versions and reads < 20 * wanted):
    try:
        frame = o.datasets.get("raced")
    except Exception as exc:
        failed += 1
        errors.append(repr(exc))
        if failed > 50:
            break
        continue
    finally:
        reads += 1
    versions = set(zip(frame["writer"], frame["round"]))
    seen |= versions
    if len(frame) != rows or len(versions) != 1 or list(frame.index) != list(range(rows)):
        torn += 1
open(sys.argv[2], "w").close()
print(json.dumps({"reads": reads, "failed": failed, "torn": torn, "errors": errors[:3], "versions": len(seen)}))
"""
#: Reads per run, at least. Each read races the writers' replacements (a reader sees ~70 different versions in 100
#: reads); the reader goes on until it has seen VERSIONS of them, and the test fails unless it did (no race).
READS = 100
VERSIONS = 10


@pytest.mark.timeout(900)
def test_a_reader_racing_three_replacing_writers_never_fails_and_never_sees_a_mix(omega, omega_engine, tmp_path):
    url = omega.config.storage_url
    rows = 1000 if omega_engine == "embedded" else 300  # 10 or 3 chunks: the stand-in is slow
    omega["omega"].datasets.put(pd.DataFrame({"writer": np.zeros(rows, int), "round": np.zeros(rows, int)}),
                                "raced", chunk_rows=100)
    stop = str(tmp_path / "stop")
    env = {**os.environ, "OMEGA_GRACE_SECONDS": "600"}

    def spawn(code, *args):
        return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), url, *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    writers = [spawn(WRITER, str(n), stop, str(rows)) for n in (1, 2, 3)]
    reader = spawn(READER, stop, str(rows), str(READS), str(VERSIONS))
    out, err = reader.communicate(timeout=600)
    for writer in writers:
        _, werr = writer.communicate(timeout=600)
        assert writer.returncode == 0, werr
    assert reader.returncode == 0, err
    result = json.loads(out)
    versions, reads = result.pop("versions"), result.pop("reads")
    assert result == {"failed": 0, "torn": 0, "errors": []} and reads >= READS
    assert versions >= VERSIONS, f"the writers replaced the frame only {versions - 1} times during {reads} reads: no race"
