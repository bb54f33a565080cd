"""omegaml-notebook: Jupyter notebooks as jobs.

    import omegaml_core as om
    from omegaml_notebook import jobs

    om.jobs.put(nb, 'report')                    # stored as report.ipynb (kind script.ipynb)
    jobs(om).run('report', parameters={'n': 3})  # in this process; returns the result's Metadata
    om.runtime.job('report').run(parameters={'n': 3}).get()   # on a worker
    jobs(om).runs('report')                      # every run, newest first
    jobs(om).schedule('report', '0 6 * * FRI', tz='Europe/Zurich')
"""
from __future__ import annotations

from typing import Any

from .errors import NotebookRunError, ScheduleError

__all__ = ["jobs", "NotebookJobs", "NotebookRunError", "ScheduleError"]


class NotebookJobs:
    """Notebook operations on ``om.jobs`` of one Omega (context and bucket)."""

    def __init__(self, omega: Any) -> None:
        self.omega = omega

    def put(self, nb_or_path: Any, name: str, **kwargs: Any) -> Any:
        """Store a notebook (NotebookNode or ``.ipynb`` path) as ``<name>.ipynb``."""
        return self.omega.jobs.put(nb_or_path, name, kind="script.ipynb", **kwargs)

    def get(self, name: str) -> Any:
        """The stored notebook (``report`` or ``report.ipynb``, or a result) as a NotebookNode."""
        return self.omega.jobs.get(name)

    def run(self, name: str, parameters: dict | None = None, timeout: float | None = None,
            cell_timeout: float | None = None) -> Any:
        """Run in this process; returns the stored result's Metadata, raises NotebookRunError on failure."""
        from .runner import run_job

        return run_job(self.omega, name, parameters, timeout, cell_timeout)

    def runs(self, name: str) -> list[Any]:
        """Metadata of every stored run of ``name``, newest first."""
        from .runner import runs

        return runs(self.omega, name)

    def schedule(self, name: str, spec: str, tz: str = "UTC", parameters: dict | None = None) -> dict[str, Any]:
        """Run ``name`` on a cron schedule (``'0 6 * * FRI'`` or an exact English form); returns the schedule."""
        from .schedule import set_schedule

        return set_schedule(self.omega, name, spec, tz, parameters)

    def get_schedule(self, name: str) -> dict[str, Any] | None:
        """The schedule of ``name`` (cron, tz, explanation, next_run), or None."""
        from .schedule import get_schedule

        return get_schedule(self.omega, name)

    def next_runs(self, name: str, n: int = 5) -> list[str]:
        """The next ``n`` times ``name`` runs (ISO, in the schedule's time zone)."""
        from .schedule import next_times

        return next_times(self.omega, name, n)

    def drop_schedule(self, name: str) -> bool:
        """Stop running ``name`` on a schedule; False if it had none."""
        from .schedule import drop_schedule

        return drop_schedule(self.omega, name)


def jobs(omega: Any = None) -> NotebookJobs:
    """Notebook operations for ``omega`` (default: the default context)."""
    if omega is None:
        import omegaml_core

        omega = omegaml_core.defaults()
    return NotebookJobs(omega)
