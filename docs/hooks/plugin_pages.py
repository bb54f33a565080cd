"""MkDocs hook: a page per plugin distribution in plugins/ (its README, then its API reference).

Every ``plugins/omegaml-*/`` with a ``pyproject.toml`` gets ``plugins/<name>.md`` in
the nav under "Plugins", so a newly merged plugin is documented (and its
docstrings checked by the strict build) without editing mkdocs.yml.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]


def _plugins() -> list[tuple[str, Path, str]]:
    """(distribution, folder, top-level package) of every plugin distribution."""
    found = []
    for folder in sorted((ROOT / "plugins").glob("omegaml-*")):
        packages = [p for p in folder.glob("omegaml_*") if (p / "__init__.py").exists()]
        if (folder / "pyproject.toml").exists() and packages:
            found.append((folder.name, folder, packages[0].name))
    return found


def on_config(config: Any) -> Any:
    config["nav"].append({"Plugins": [{dist: f"plugins/{dist}.md"} for dist, _, _ in _plugins()]})
    return config


def on_files(files: Any, config: Any) -> Any:
    for dist, folder, package in _plugins():
        readme = (folder / "README.md").read_text(encoding="utf-8")
        content = (f"{readme}\n\n## API reference\n\n::: {package}\n    options:\n"
                   "      show_submodules: true\n      show_root_heading: false\n")
        files.append(File.generated(config, f"plugins/{dist}.md", content=content))
    return files
