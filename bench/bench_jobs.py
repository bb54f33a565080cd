"""Jobs and scripts: a 10-cell notebook vs papermill, a script's cached run vs a bare subprocess, scheduler delay.

papermill is installed only for the benchmark (``nox -s bench`` installs it); the
script baseline imports the same package and ``omegaml_core`` in a fresh interpreter
and calls ``run(om, ...)``, so both sides do the same work except our environment
handling and result transfer.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime
from pathlib import Path

from _common import Ratio, best_of, within

BROKER = os.environ.get("OMEGA_BENCH_BROKER", "redis://127.0.0.1:6379/13")
CELLS = ["import math", *[f"x{i} = sum(math.sqrt(j) for j in range(20000))" for i in range(8)], "print(x7)"]


def _omega(tmp: str, broker: str | None = None):
    from omegaml_core.config import Config
    from omegaml_core.omega import Omega

    os.environ["OMEGA_HOME"] = tmp
    return Omega(Config(storage_url=f"sqlite:///{tmp}/omega.db", broker_url=broker))


def notebook_vs_papermill(tmp: str) -> Ratio:
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    from omegaml_notebook import jobs

    nb = new_notebook(cells=[new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = Path(tmp, "ten.ipynb")
    nbformat.write(nb, str(path))
    om = _omega(tmp)
    om.jobs.put(str(path), "ten")
    ours = best_of(lambda: jobs(om).run("ten"), repeat=3)
    base = best_of(lambda: papermill.execute_notebook(str(path), str(Path(tmp, "out.ipynb")), kernel_name="python3",
                                                      progress_bar=False, log_output=False), repeat=3)
    return Ratio("10-cell notebook: jobs(om).run (stored) vs papermill", ours, base, "within 1.2x",
                 within(ours, base, 1.2))


def script_vs_subprocess(tmp: str) -> list[Ratio]:
    from omegaml_scripts import scripts

    project = Path(tmp, "benchpkg")
    (project / "benchpkg").mkdir(parents=True)
    (project / "benchpkg" / "__init__.py").write_text("def run(om, n=1):\n    return sum(range(n))\n")
    (project / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "benchpkg"
        version = "1.0"
        [tool.setuptools]
        packages = ["benchpkg"]
    """))
    os.environ["OMEGA_SCRIPTS_ENVS"] = str(Path(tmp, "envs"))
    om = _omega(tmp)
    om.scripts.put(f"pkg://{project}", "bench")
    start = time.perf_counter()
    scripts(om).run("bench", n=10)
    first = time.perf_counter() - start
    ours = best_of(lambda: scripts(om).run("bench", n=10), repeat=7)
    code = "import omegaml_core as om; import benchpkg; benchpkg.run(om.defaults(), n=10)"
    env = {**os.environ, "PYTHONPATH": str(project), **om.config.to_environ()}
    base = best_of(lambda: subprocess.run([sys.executable, "-c", code], env=env, check=True), repeat=7)
    return [Ratio("script second run (cached env) vs python -c 'import pkg; pkg.run(om)'", ours, base,
                  "within 1.5x", within(ours, base, 1.5)),
            Ratio("script first run (builds its environment) vs the same baseline", first, base, "report", True)]


def scheduler_delay(tmp: str, samples: int = 8) -> Ratio:
    import threading

    from omegaml_core.runtime.testing import purge_queues, start_worker
    from omegaml_notebook import jobs
    from omegaml_notebook.cron import parse_utc
    from omegaml_notebook.scheduler import run_scheduler
    from nbformat.v4 import new_code_cell, new_notebook

    purge_queues(BROKER)
    env = {"OMEGA_BROKER": BROKER, "OMEGA_MONGO_URL": f"sqlite:///{tmp}/omega.db", "OMEGA_HOME": tmp}
    om = _omega(tmp, BROKER)
    om.jobs.put(new_notebook(cells=[new_code_cell("x = 1")]), "tick")
    stop = threading.Event()
    with start_worker(env, name="bench-nb", log_dir=Path(tmp)):
        jobs(om).schedule("tick", "* * * * * */4")
        thread = threading.Thread(target=run_scheduler, args=(om,), kwargs={"interval": 0.5, "stop": stop}, daemon=True)
        thread.start()
        deadline = time.monotonic() + samples * 4 + 60
        while len(jobs(om).runs("tick")) < samples and time.monotonic() < deadline:
            time.sleep(0.5)
        jobs(om).drop_schedule("tick")
        stop.set()
        thread.join(10)
    delays = sorted((datetime.strptime(r.attributes["started"], "%Y-%m-%dT%H:%M:%S.%fZ")
                     - parse_utc(r.attributes["scheduled_for"]).replace(tzinfo=None)).total_seconds()
                    for r in jobs(om).runs("tick")[:samples])
    p95 = delays[min(len(delays) - 1, int(round(0.95 * (len(delays) - 1))))]
    print(f"   scheduler delays (s): {', '.join(f'{d:.2f}' for d in delays)}; median {statistics.median(delays):.2f}")
    return Ratio("scheduler: due time -> run start, p95 (Redis worker) vs 2 s", p95, 2.0, "p95 <= 2 s", p95 <= 2.0)


def run() -> list[Ratio]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(notebook_vs_papermill(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.extend(script_vs_subprocess(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.append(scheduler_delay(tmp))
    return results
