"""Turning a project folder into a wheel, and reading a wheel's name, version, requirements and modules."""
from __future__ import annotations

import os
import re
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


def _build_backend_is_local(project: Path) -> bool:
    """True if the project builds with setuptools and this interpreter has it (no download needed)."""
    import importlib.util
    import tomllib

    pyproject = project / "pyproject.toml"
    backend = "setuptools.build_meta"
    if pyproject.is_file():
        with pyproject.open("rb") as fh:
            backend = tomllib.load(fh).get("build-system", {}).get("build-backend", backend)
    return backend.startswith("setuptools") and importlib.util.find_spec("setuptools") is not None


def build_wheel(project: Path, into: Path) -> Path:
    """Build ``project`` with ``pip wheel --no-deps`` into ``into``; ScriptBuildError with pip's reason."""
    argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(into), str(project)]
    if _build_backend_is_local(project):
        argv.insert(4, "--no-build-isolation")  # setuptools is here: no index needed to build
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "TMPDIR": tmp}
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        reason = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise ScriptBuildError(f"cannot build a wheel from {project}: " + "\n".join(reason))
    return wheels[0]


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
