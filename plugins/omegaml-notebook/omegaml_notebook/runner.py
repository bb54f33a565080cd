"""Running a stored notebook: nbclient with a real ipykernel, ``om`` ready inside, every run stored.

The kernel process gets the caller's configuration through environment
variables (``OMEGA_MONGO_URL``, ``OMEGA_BROKER``, ``OMEGA_RESULT_BACKEND``) and
``om`` is defined by a silent statement before the first cell, so neither the
configuration nor that statement ever appear in the stored notebook.
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timezone
from typing import Any

from .cron import utc_iso
from .errors import NotebookRunError
from .names import result_name, stored_name
from .parameters import check_parameters, inject_parameters

#: Seconds one cell may run (``OMEGA_NOTEBOOK_CELL_TIMEOUT``) and the whole run (``OMEGA_NOTEBOOK_TIMEOUT``).
DEFAULT_CELL_TIMEOUT = float(os.environ.get("OMEGA_NOTEBOOK_CELL_TIMEOUT", "600"))
DEFAULT_TIMEOUT = float(os.environ.get("OMEGA_NOTEBOOK_TIMEOUT", "3600"))


def kernel_name() -> str:
    """The Jupyter kernel notebooks run in: ``OMEGA_NOTEBOOK_KERNEL``, default ``python3`` (this interpreter)."""
    return os.environ.get("OMEGA_NOTEBOOK_KERNEL", "python3")


SETUP_CODE = "import omegaml_core as _omegaml_core\nom = _omegaml_core.defaults()[{bucket!r}]\ndel _omegaml_core"


def kernel_env(omega: Any) -> dict[str, str]:
    """The kernel's environment: this process's, plus the caller's context (never written to the notebook)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JPY_")}
    return {**env, **omega.config.to_environ()}


def worker_name() -> str:
    return os.environ.get("OMEGA_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"


class _Progress:
    """Which cell is running and when the run must end (the run timeout counts from the first cell)."""

    def __init__(self, cell_timeout: float, timeout: float) -> None:
        self.cell_timeout, self.timeout = cell_timeout, timeout
        self.index: int | None = None
        self.deadline: float | None = None

    def cell_limit(self, cell: Any = None) -> float:
        """nbclient's per-cell timeout: the cell timeout, or less if the run's deadline comes first."""
        if self.deadline is None:
            return self.cell_timeout
        return max(0.01, min(self.cell_timeout, self.deadline - time.monotonic()))

    def run_expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline - 0.05


async def _execute(client: Any, omega: Any, progress: _Progress) -> None:
    from nbclient.util import ensure_async

    async with client.async_setup_kernel(env=kernel_env(omega)):
        reply = await client.async_wait_for_reply(
            await ensure_async(client.kc.execute(SETUP_CODE.format(bucket=omega.bucket), silent=True,
                                                 store_history=False)))
        if reply is None or reply["content"]["status"] != "ok":
            content = reply["content"] if reply else {}
            raise NotebookRunError(f"could not set up om in the notebook kernel: {content.get('ename')}: "
                                   f"{content.get('evalue')}")
        progress.deadline = time.monotonic() + progress.timeout
        for index, cell in enumerate(client.nb.cells):
            progress.index = index
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        progress.index = None


def execute_notebook(nb: Any, omega: Any, cell_timeout: float, timeout: float) -> tuple[Any, dict[str, Any]]:
    """Run ``nb`` in a fresh kernel; returns the executed notebook and ``{}`` or the failure's details."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import run_sync
    from jupyter_client.kernelspec import NoSuchKernel

    progress = _Progress(cell_timeout, timeout)
    client = NotebookClient(nb, timeout_func=progress.cell_limit, kernel_name=kernel_name(), allow_errors=False,
                            record_timing=True, resources={"metadata": {"path": os.getcwd()}})
    try:
        run_sync(_execute)(client, omega, progress)
    except CellExecutionError as exc:
        return client.nb, {"cell": progress.index, "ename": exc.ename, "evalue": exc.evalue}
    except CellTimeoutError:
        if progress.run_expired():
            return client.nb, {"cell": progress.index, "ename": "TimeoutError",
                               "evalue": f"the notebook ran longer than {timeout:g} s"}
        return client.nb, {"cell": progress.index, "ename": "CellTimeoutError",
                           "evalue": f"the cell ran longer than {cell_timeout:g} s"}
    except NoSuchKernel:
        return client.nb, {"cell": None, "ename": "NoSuchKernel",
                           "evalue": f"no Jupyter kernel {kernel_name()!r} is installed where the job ran; install "
                                     "ipykernel there, or set OMEGA_NOTEBOOK_KERNEL to an installed kernel"}
    except DeadKernelError as exc:
        return client.nb, {"cell": progress.index, "ename": "DeadKernelError", "evalue": str(exc)}
    except NotebookRunError as exc:  # om could not be set up in the kernel (e.g. a kernel without omegaml_core)
        return client.nb, {"cell": None, "ename": "NotebookSetupError", "evalue": str(exc)}
    return client.nb, {}


def run_job(omega: Any, name: str, parameters: dict[str, Any] | None = None, timeout: float | None = None,
            cell_timeout: float | None = None, scheduled_for: str | None = None) -> Any:
    """Run the notebook job ``name`` and store the run as ``results/<name>_<UTC time>.ipynb``.

    Returns the result's Metadata. A failed run is stored too (the notebook as far
    as it ran), then NotebookRunError names the failing cell and the result.
    """
    parameters = check_parameters(parameters)
    meta = omega.jobs.metadata(name)
    if meta.kind != "script.ipynb":
        raise TypeError(f"job {name!r} is of kind {meta.kind!r}, not a notebook; store a notebook with "
                        "om.jobs.put(nb_or_path, name)")
    nb = inject_parameters(omega.jobs.get(meta.name), parameters)
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    executed, failure = execute_notebook(nb, omega, cell_timeout or DEFAULT_CELL_TIMEOUT, timeout or DEFAULT_TIMEOUT)
    finished = datetime.now(timezone.utc)
    attributes = {"source_job": meta.name, "status": "failed" if failure else "ok", "started": utc_iso(started),
                  "finished": utc_iso(finished), "duration": round(time.monotonic() - clock, 3),
                  "parameters": parameters, "worker": worker_name(), **failure}
    if scheduled_for:
        attributes["scheduled_for"] = scheduled_for
    result = omega.jobs.put(executed, result_name(meta.name, started), attributes=attributes)
    if failure:
        where = f"cell {failure['cell']}" if failure.get("cell") is not None else "kernel start-up"
        raise NotebookRunError(f"notebook {stored_name(name)!r} failed in {where}: {failure['ename']}: "
                               f"{failure['evalue']}; the partial run is stored as {result.name!r}")
    return result


def runs(omega: Any, name: str) -> list[Any]:
    """Metadata of the stored runs of job ``name``, newest first."""
    from .names import job_name

    job = stored_name(name)
    found = omega.jobs.list(f"results/{job_name(name)}_*", raw=True)
    own = [m for m in found if m.attributes.get("source_job") == job]
    return sorted(own, key=lambda m: m.attributes.get("started", ""), reverse=True)
