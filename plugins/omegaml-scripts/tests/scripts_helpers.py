"""Helpers for the scripts tests."""
from __future__ import annotations

import textwrap
from pathlib import Path


def make_project(root: Path, name: str, version: str = "1.0", requires: list[str] | None = None,
                 body: str = "def run(om, **kwargs):\n    return kwargs\n") -> Path:
    """A setuptools project ``name`` with one package of the same name."""
    project = root / f"{name}-{version}"
    package = project / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(body))
    deps = ", ".join(f'"{r}"' for r in requires or [])
    (project / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name}"
        version = "{version}"
        dependencies = [{deps}]

        [tool.setuptools]
        packages = ["{name}"]
    """))
    return project
