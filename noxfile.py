"""Test sessions: the kernel and each plugin, each in its own fresh virtualenv.

    nox                 # everything (what .ci/run and the README run)
    nox -s kernel       # just the kernel
    nox -s sklearn -- -k gridsearch
    nox -s build        # wheels + sdists of every distribution in dist/, twine check, install by name
    nox -s docs         # the documentation site, built in strict mode into site/

Plugins are installed from plugins/ by path, so a plugin's test extra may
name another local plugin (e.g. omegaml-pandas) without a package index.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.error_on_missing_interpreters = False
nox.options.reuse_existing_virtualenvs = False
#: uv creates the virtualenvs and installs into them (nox[uv] brings it); plain virtualenv + pip without it.
nox.options.default_venv_backend = "uv|virtualenv"

PYTHON = "3.11"
HERE = Path(__file__).parent
#: Every plugin distribution in plugins/ gets a session.
PLUGINS = sorted(p.name[len("omegaml-"):] for p in (HERE / "plugins").glob("omegaml-*") if (p / "pyproject.toml").exists())
#: Local plugins a plugin's tests need besides itself (installed by path, not from an index).
LOCAL_PLUGIN_DEPS = {"sklearn": ["pandas"], "sql": ["pandas"], "keras": ["pandas"], "server": ["pandas", "sklearn"],
                     "ops": ["pandas", "server"], "notebook": ["server"], "scripts": ["server"]}


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


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Wheels and sdists of every distribution into dist/, ``twine check``, then a by-name install.

    The install goes into a fresh virtualenv: omegaml-core and omegaml-sql by name
    from dist/ only (``--no-index``), then their dependencies from the package
    index, then .ci/smoke_install.py runs there.
    """
    session.install("build>=1.2", "twine>=6.1", "setuptools>=77", "wheel")
    dist = HERE / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    for source in [HERE, *(HERE / "plugins" / f"omegaml-{name}" for name in PLUGINS)]:
        session.run("python", "-m", "build", "--no-isolation", "--outdir", str(dist), str(source), silent=True)
    session.run("twine", "check", "--strict", *sorted(str(p) for p in dist.iterdir()))
    venv = Path(session.create_tmp()) / "install-by-name"
    session.run("python", "-m", "venv", "--clear", str(venv))
    pip, wanted = str(venv / "bin" / "pip"), ["omegaml-core", "omegaml-sql"]
    session.run(pip, "install", "-q", "--no-index", "--find-links", str(dist), "--no-deps", *wanted, external=True)
    session.run(pip, "install", "-q", "--find-links", str(dist), *wanted, external=True)
    session.run(str(venv / "bin" / "python"), str(HERE / ".ci" / "smoke_install.py"), external=True)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site (MkDocs, Material, mkdocstrings) into site/, in strict mode.

    The API reference is read from the source by griffe, so no plugin is installed
    here; a broken reference, a module that is gone or a dead link fails the build.
    """
    session.install("mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(HERE / "site"), env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks (not part of the test run): ratios against baselines measured in the same run."""
    plugins = [arg for name in PLUGINS for arg in ("-e", f"plugins/omegaml-{name}[test]")]
    session.install("-e", ".[test]", *plugins, "papermill")  # papermill: a baseline of bench_jobs only
    session.run("python", "bench/run.py", *session.posargs)
