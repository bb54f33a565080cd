"""Turning a project folder into a wheel, and reading a wheel's name, version, requirements and modules."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

from .errors import ScriptBuildError

PKG_SCHEME = "pkg://"
PROJECT_FILES = ("pyproject.toml", "setup.py")
_RUN_FUNCTION = re.compile(r"^def run\(\s*om\b", re.MULTILINE)


def source_path(obj: Any) -> Path | None:
    """The local path ``obj`` names (``pkg://path``, a str or a Path), or None."""
    if isinstance(obj, Path):
        return obj
    if isinstance(obj, str):
        return Path(obj[len(PKG_SCHEME):] if obj.startswith(PKG_SCHEME) else obj)
    return None


def is_project(path: Path) -> bool:
    return path.is_dir() and any((path / f).is_file() for f in PROJECT_FILES)


def is_script_module(path: Path) -> bool:
    """A single ``.py`` file that defines ``run(om, ...)`` at the top level."""
    if path.suffix != ".py" or not path.is_file() or path.stat().st_size > 1 << 20:
        return False
    return bool(_RUN_FUNCTION.search(path.read_text(encoding="utf-8", errors="replace")))


_IGNORE = ("build", "dist", "*.egg-info", "__pycache__", ".git", ".venv*", ".tox", ".nox")
_BUILD = ("import importlib, sys; module, _, attr = sys.argv[1].partition(':'); "
          "backend = importlib.import_module(module); backend = getattr(backend, attr) if attr else backend; "
          "backend.build_wheel(sys.argv[2])")


def _local_backend(project: Path) -> str | None:
    """The project's setuptools build backend if this interpreter has setuptools (no download needed), else None."""
    import importlib.util
    import tomllib

    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        backend = "setuptools.build_meta:__legacy__"  # a setup.py project
    else:
        try:
            with pyproject.open("rb") as fh:
                backend = tomllib.load(fh).get("build-system", {}).get("build-backend", "setuptools.build_meta:__legacy__")
        except tomllib.TOMLDecodeError as exc:
            raise ScriptBuildError(f"cannot build a wheel from {project}: pyproject.toml is not valid TOML ({exc})") from None
    local = backend.startswith("setuptools.build_meta") and importlib.util.find_spec("setuptools") is not None
    return backend if local else None


def build_wheel(project: Path, into: Path) -> Path:
    """Build ``project`` into a wheel in ``into``; ScriptBuildError with the builder's reason.

    Setuptools projects are built by calling setuptools' PEP 517 hook on a copy of
    the project (fast, no index, the source folder stays clean); others with
    ``pip wheel --no-deps`` in an isolated build environment.
    """
    backend = _local_backend(project)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "out")
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "TMPDIR": tmp}
        if backend:
            source = Path(tmp, "src")
            shutil.copytree(project, source, ignore=shutil.ignore_patterns(*_IGNORE))
            argv = [sys.executable, "-c", _BUILD, backend, str(out)]
            done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=source)
        else:
            argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(project)]
            done = subprocess.run(argv, capture_output=True, text=True, env=env)
        wheels = sorted(out.glob("*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            reason = (done.stderr or done.stdout).strip().splitlines()[-15:]
            raise ScriptBuildError(f"cannot build a wheel from {project}: " + "\n".join(reason))
        return Path(shutil.move(str(wheels[0]), str(into / wheels[0].name)))


def wheel_info(wheel: Path) -> dict[str, Any]:
    """Name, version, requirements (without extras) and top-level modules of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info_dir = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        metadata = Parser().parsestr(zf.read(f"{info_dir}/METADATA").decode("utf-8"))
        top_level = f"{info_dir}/top_level.txt"
        if top_level in names:
            modules = [m for m in zf.read(top_level).decode().split() if m]
        else:
            modules = sorted({n.split("/")[0].removesuffix(".py") for n in names
                              if not n.split("/")[0].endswith((".dist-info", ".data"))
                              and (n.endswith(".py") or "/" in n)})
    requirements = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r.replace("extra==", "extra ==")]
    return {"package": metadata["Name"], "version": metadata["Version"], "requirements": requirements,
            "modules": modules, "wheel": wheel.name}
