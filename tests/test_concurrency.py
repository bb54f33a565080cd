"""Concurrent writers, readers and killed processes never lose or mix data."""
import os
import signal
import subprocess
import sys
import textwrap
import time

WRITER = """
import sys, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
me = int(sys.argv[2])
for i in range({rounds}):
    o.datasets.put([me] * 2000 + [i], "shared")
    o.datasets.put(bytes([me]) * 300_000, "blob")
"""

READER = """
import sys, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
seen = set()
for _ in range({rounds}):
    try:
        value = o.datasets.get("shared")
        with o.datasets.get("blob") as fh:
            data = fh.read()
    except KeyError:
        continue  # nothing written yet
    assert len(set(value[:2000])) == 1, "a reader saw a mix of two writes"
    assert len(data) == 300_000 and len(set(data)) == 1, "a reader saw a mix of two files"
    seen.add(value[0])
print(len(seen))
"""


def spawn(code, *args, grace=600):
    """A Python process running ``code``; replaced versions stay readable for ``grace`` seconds."""
    env = {**os.environ, "OMEGA_GRACE_SECONDS": str(grace)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_concurrent_puts_leave_one_consistent_object_readers_never_fail_and_no_orphans(omega):
    url = omega.config.storage_url
    bucket_om = omega  # the processes use the default bucket of the same storage
    writers = [spawn(WRITER.format(rounds=8), url, str(n)) for n in range(1, 5)]
    readers = [spawn(READER.format(rounds=40), url) for _ in range(2)]
    for proc in writers + readers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    default = bucket_om["omega"]
    value = default.datasets.get("shared")
    assert len(set(value[:2000])) == 1 and value[-1] == 7
    with default.datasets.get("blob") as fh:
        assert len(set(fh.read())) == 1
    assert default.datasets.list() == ["blob", "shared"]
    assert omega.engine.orphans() == set()


APPENDER = """
import sys, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])
me = int(sys.argv[2])
for i in range(10):
    o.datasets.put([me * 100 + i], "log", append=True)
"""


def test_concurrent_appends_keep_every_item_exactly_once(omega):
    url = omega.config.storage_url
    procs = [spawn(APPENDER, url, str(n)) for n in range(1, 4)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    items = omega["omega"].datasets.get("log")
    assert sorted(items) == sorted(n * 100 + i for n in range(1, 4) for i in range(10))
    assert omega.engine.orphans() == set()


SLOW_WRITER = """
import sys, time, omegaml_core as om
o = om.setup(mongo_url=sys.argv[1])

class Slow:
    def __init__(self): self.n = 0
    def read(self, size=-1):
        self.n += 1
        if self.n == 3:
            print("writing", flush=True)
        time.sleep(0.05)
        return b"new!" * 1000

o.datasets.put(Slow(), "precious", kind="python.file")
"""


def test_a_writer_killed_midway_leaves_the_previous_version_readable(omega):
    url = omega.config.storage_url
    default = omega["omega"]
    default.datasets.put(b"old version", "precious")
    before = default.datasets.metadata("precious")
    proc = spawn(SLOW_WRITER, url)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    after = default.datasets.metadata("precious")
    assert after.rev == before.rev
    with default.datasets.get("precious") as fh:
        assert fh.read() == b"old version"
    default.datasets.put(b"next version", "precious")
    with default.datasets.get("precious") as fh:
        assert fh.read() == b"next version"


def test_garbage_of_a_killed_writer_is_collected_but_young_writes_are_kept(omega):
    url = omega.config.storage_url
    proc = spawn(SLOW_WRITER, url)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    partial = sorted(omega.engine.blob_dir.glob(".tmp-*")) if hasattr(omega.engine, "blob_dir") else []
    assert omega.engine.collect_garbage(min_age_seconds=3600) == []  # too young: could be a write in flight
    assert all(p.exists() for p in partial)
    removed = omega.engine.collect_garbage(min_age_seconds=0)
    assert len(removed) == len(partial)  # on MongoDB pymongo had not sent a chunk yet (it buffers 32 MB)
    assert not any(p.exists() for p in partial)
    assert omega.engine.list_blobs() == [] and omega.engine.orphans() == set()


def test_unowned_blobs_older_than_the_threshold_are_collected(omega):
    with omega.engine.blob_writer("om_left_behind_by_a_crash") as fh:
        fh.write(b"x")
    omega.datasets.put([1], "kept")
    assert omega.engine.collect_garbage(min_age_seconds=3600) == []
    assert omega.engine.collect_garbage(min_age_seconds=0) == ["om_left_behind_by_a_crash"]
    assert omega.datasets.get("kept") == [1]


def test_unowned_collections_are_collected_by_the_age_in_their_storage_name(omega):
    import time

    from omegaml_core.names import storage_name, storage_name_age

    assert 0 <= storage_name_age(storage_name("b", "data/", "x")) < 5
    assert storage_name_age("a_collection_made_by_hand") is None
    old = storage_name("omega", "data/", "crashed", "rows")
    old = old[:-40] + f"{int(time.time()) - 7200:08x}" + old[-32:]  # written two hours ago
    young = storage_name("omega", "data/", "in-flight", "rows")
    for name in (old, young, "om_made_by_hand"):
        omega.engine.collection(name).insert_one({"row": 1})
    omega.datasets.put([1], "kept")
    assert omega.engine.collect_garbage(min_age_seconds=3600) == [old]
    assert set(omega.engine.list_collections()) == {young, "om_made_by_hand"}
    assert omega.engine.orphans() == {("collection", young), ("collection", "om_made_by_hand")}
    assert omega.datasets.get("kept") == [1]
