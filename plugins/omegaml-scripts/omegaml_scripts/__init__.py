"""omegaml-scripts: Python packages as scripts.

    import omegaml_core as om
    from omegaml_scripts import scripts

    om.scripts.put('pkg://path/to/helloworld', 'helloworld')  # builds a wheel and stores it
    scripts(om).run('helloworld', foo='bar')                  # in this process's machine
    om.runtime.script('helloworld').run(foo='bar').get()      # on a worker
    # -> {'script', 'kwargs', 'result', 'runtime', 'started', 'stdout', 'stderr'}
"""
from __future__ import annotations

from typing import Any

from .errors import ScriptBuildError, ScriptEnvironmentError, ScriptTimeoutError

__all__ = ["scripts", "Scripts", "ScriptBuildError", "ScriptEnvironmentError", "ScriptTimeoutError"]


class Scripts:
    """Script operations on ``om.scripts`` of one Omega."""

    def __init__(self, omega: Any) -> None:
        self.omega = omega

    def put(self, source: Any, name: str, **kwargs: Any) -> Any:
        """Store a project folder (``pkg://path`` or a path) or a ``.py`` file with ``run(om, **kwargs)``."""
        return self.omega.scripts.put(source, name, kind="python.package", **kwargs)

    def run(self, name: str, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
        """Run the script's ``run(om, **kwargs)`` in its environment, here; returns the result dict."""
        from .runner import run_script

        return run_script(self.omega, name, kwargs, timeout=timeout)


def scripts(omega: Any = None) -> Scripts:
    """Script operations for ``omega`` (default: the default context)."""
    if omega is None:
        import omegaml_core

        omega = omegaml_core.defaults()
    return Scripts(omega)
