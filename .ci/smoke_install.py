"""Smoke test of an installed omegaml-core + omegaml-sql (run by `nox -s build` in a fresh virtualenv).

Checks what a new user does first after `pip install omegaml-core omegaml-sql`:
the plugin is discovered, a SQL reference stores and reads, and `om` runs.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

home = Path(tempfile.mkdtemp(prefix="omega-smoke-"))
os.environ.update(OMEGA_HOME=str(home), OMEGA_CONFIG=str(home / "none.toml"))
os.environ.pop("OMEGA_MONGO_URL", None)

import omegaml_core as om  # noqa: E402

assert "site-packages" in om.__file__, f"omegaml_core imported from {om.__file__}, not from the installed wheel"
db = home / "shop.db"
with sqlite3.connect(db) as conn:
    conn.execute("create table sales (id integer, region text)")
    conn.executemany("insert into sales values (?, ?)", [(1, "EU"), (2, "US"), (3, "EU")])
om.datasets.put(f"sqlite:///{db}", "sales", sql="select id from sales where region = {region} order by id")
assert om.datasets.get("sales", sqlvars={"region": "EU"})["id"].tolist() == [1, 3]
om.datasets.put({"a": 1}, "cfg")
assert om.datasets.list() == ["cfg", "sales"]

omcmd = str(Path(sys.executable).with_name("om"))
versions = subprocess.run([omcmd, "--version"], capture_output=True, text=True, check=True).stdout
assert versions.startswith("omegaml-core ") and "omegaml-sql " in versions, versions
listed = subprocess.run([omcmd, "datasets", "list"], capture_output=True, text=True, check=True).stdout.split()
assert listed == ["cfg", "sales"], listed
print("smoke ok:", " | ".join(versions.splitlines()))
