"""Test sessions: the kernel and each plugin, each in its own fresh virtualenv.

    nox                 # everything (what .ci/run and the README run)
    nox -s kernel       # just the kernel
    nox -s sklearn -- -k gridsearch

Plugins are installed from plugins/ by path, so a plugin's test extra may
name another local plugin (e.g. omegaml-pandas) without a package index.
"""
from __future__ import annotations

from pathlib import Path

import nox

nox.options.error_on_missing_interpreters = False
nox.options.reuse_existing_virtualenvs = False

PYTHON = "3.11"
HERE = Path(__file__).parent
#: Every plugin distribution in plugins/ gets a session.
PLUGINS = sorted(p.name[len("omegaml-"):] for p in (HERE / "plugins").glob("omegaml-*") if (p / "pyproject.toml").exists())
#: Local plugins a plugin's tests need besides itself (installed by path, not from an index).
LOCAL_PLUGIN_DEPS = {"sklearn": ["pandas"], "sql": ["pandas"], "keras": ["pandas"], "server": ["pandas", "sklearn"],
                     "ops": ["pandas", "server"]}


@nox.session(python=PYTHON)
def kernel(session: nox.Session) -> None:
    """The kernel's own tests, on the embedded engine and MongoDB over the wire."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests", *session.posargs)


def _plugin_session(name: str):
    def run(session: nox.Session) -> None:
        deps = [d for d in LOCAL_PLUGIN_DEPS.get(name, []) if d in PLUGINS]
        local = [arg for dep in deps for arg in ("-e", f"plugins/omegaml-{dep}")]
        session.install("-e", ".[test]", *local, "-e", f"plugins/omegaml-{name}[test]")
        session.run("pytest", f"plugins/omegaml-{name}/tests", *session.posargs)

    run.__doc__ = f"The omegaml-{name} plugin's tests."
    return run


for _name in PLUGINS:
    nox.session(python=PYTHON, name=_name)(_plugin_session(_name))


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks (not part of the test run): ratios against baselines measured in the same run."""
    plugins = [arg for name in PLUGINS for arg in ("-e", f"plugins/omegaml-{name}[test]")]
    session.install("-e", ".[test]", *plugins)
    session.run("python", "bench/run.py", *session.posargs)
