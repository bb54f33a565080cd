"""Helpers for kernel tests: installed distributions on disk, fresh interpreters."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def make_distribution(site: Path, dist: str, version: str, entry_points: dict[str, dict[str, str]],
                      modules: dict[str, str]) -> None:
    """Write an installed distribution (dist-info with entry points, plus its modules) into ``site``."""
    site.mkdir(parents=True, exist_ok=True)
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = []
    for group, named in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in named.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))


def run_python(code: str, site: Path | None = None, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter, with ``site`` on its path."""
    full_env = {**os.environ, **(env or {})}
    if site is not None:
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), full_env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
