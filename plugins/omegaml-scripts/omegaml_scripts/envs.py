"""One cached virtualenv per script version, prepared once per machine under a file lock.

``$OMEGA_SCRIPTS_ENVS`` (default ``$OMEGA_HOME/script-envs``) holds a folder per
script version, named ``<package>-<version>-<sha256[:12]>``. The script's wheel and
its requirements are installed into it with ``uv`` when that is installed, else
with ``venv`` + ``pip``. Then a ``.pth`` file adds the worker's own site folders
*after* the environment's, so ``omegaml_core`` is importable while the script's
requirements take precedence over the worker's packages. A file ``.ready`` marks
a finished environment; ``.failed`` remembers why installing failed, so a broken
script version fails at once on every later run instead of installing again.
``OMEGA_SCRIPTS_FIND_LINKS`` (folders of wheels) and ``OMEGA_SCRIPTS_NO_INDEX=1``
control where requirements come from.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from .errors import ScriptEnvironmentError

READY, FAILED, USED = ".ready", ".failed", ".used"


def envs_root() -> Path:
    from omegaml_core.config import omega_home

    return Path(os.environ.get("OMEGA_SCRIPTS_ENVS") or omega_home() / "script-envs").expanduser()


def env_key(kind_meta: dict[str, Any]) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in kind_meta["package"])
    return f"{safe}-{kind_meta['version']}-{kind_meta['sha256'][:12]}"


def env_python(env: Path) -> Path:
    return env / "bin" / "python"


def _uv() -> list[str] | None:
    """How to call uv: its executable, or ``python -m uv``; None if it is not installed."""
    exe = shutil.which("uv")
    if exe:
        return [exe]
    try:
        from uv import find_uv_bin

        return [find_uv_bin()]
    except Exception:
        return None


def _index_options() -> list[str]:
    options = []
    for folder in filter(None, os.environ.get("OMEGA_SCRIPTS_FIND_LINKS", "").split(os.pathsep)):
        options += ["--find-links", folder]
    if os.environ.get("OMEGA_SCRIPTS_NO_INDEX") in ("1", "true", "yes"):
        options.append("--no-index")
    return options


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise ScriptEnvironmentError(f"{what} failed: " + "\n".join(lines[-20:]))


def _site_packages(env: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return env / "lib" / version / "site-packages"


def _worker_site_dirs() -> list[str]:
    dirs = list(site.getsitepackages()) + [sysconfig.get_paths()["purelib"]]
    return list(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


def _install(env: Path, artifact: Path, kind_meta: dict[str, Any]) -> None:
    uv = _uv()
    if uv:
        _run([*uv, "venv", "--quiet", "--python", sys.executable, str(env)], "creating the environment")
    else:
        _run([sys.executable, "-m", "venv", "--without-pip", str(env)], "creating the environment")
    packages = _site_packages(env)
    if kind_meta["type"] == "module":
        shutil.copyfile(artifact, packages / f"{kind_meta['modules'][0]}.py")
    elif uv:
        _run([*uv, "pip", "install", "--quiet", "--python", str(env_python(env)), *_index_options(), str(artifact)],
             "installing the script and its requirements")
    else:
        _run([sys.executable, "-m", "pip", "--python", str(env_python(env)), "install", "--quiet",
              *_index_options(), str(artifact)], "installing the script and its requirements")
    lines = [f"import site; site.addsitedir({d!r})" for d in _worker_site_dirs()]
    (packages / "zz_omegaml_worker.pth").write_text("\n".join(lines) + "\n")


def prepare(store: Any, name: str, meta: Any) -> Path:
    """The ready environment of script ``name`` at this version, built now if needed (once per machine)."""
    from filelock import FileLock

    root = envs_root()
    root.mkdir(parents=True, exist_ok=True)
    env = root / env_key(meta.kind_meta)
    if (env / READY).exists():
        _touch(env)
        return env
    with FileLock(str(env) + ".lock"):
        if (env / READY).exists():
            _touch(env)
            return env
        if (env / FAILED).exists():
            raise ScriptEnvironmentError((env / FAILED).read_text())
        shutil.rmtree(env, ignore_errors=True)  # a build killed midway
        with tempfile.TemporaryDirectory() as tmp:
            artifact = store.get(name, path=tmp)
            try:
                _install(env, artifact, meta.kind_meta)
            except ScriptEnvironmentError as exc:
                message = (f"script {name!r} ({meta.kind_meta['package']} {meta.kind_meta['version']}): {exc}. "
                           "This is remembered for this version: fix the requirements and put the script again")
                env.mkdir(parents=True, exist_ok=True)
                (env / FAILED).write_text(message)
                raise ScriptEnvironmentError(message) from None
        (env / READY).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        _touch(env)
    return env


def _touch(env: Path) -> None:
    (env / USED).touch()


def collect(max_idle_seconds: float, failed: bool = False) -> list[str]:
    """Remove environments not used for ``max_idle_seconds`` (and remembered failures if ``failed``)."""
    from filelock import FileLock, Timeout

    root = envs_root()
    removed = []
    if not root.is_dir():
        return removed
    now = time.time()
    for env in sorted(p for p in root.iterdir() if p.is_dir()):
        marker = env / USED if (env / USED).exists() else env
        idle = now - marker.stat().st_mtime
        if idle < max_idle_seconds and not (failed and (env / FAILED).exists()):
            continue
        try:
            with FileLock(str(env) + ".lock", timeout=0):
                shutil.rmtree(env, ignore_errors=True)
        except Timeout:
            continue  # being prepared right now
        removed.append(env.name)
    return removed
