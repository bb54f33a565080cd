"""``python.package``: a project built into a wheel, or a single module with ``run(om, **kwargs)``."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from omegaml_core.backends import BaseDataBackend
from omegaml_core.backends.base import COPY_BUFFER

from .build import PKG_SCHEME, build_wheel, is_project, is_script_module, source_path, wheel_info

KIND = "python.package"


class PackageBackend(BaseDataBackend):
    """Scripts: ``put('pkg://path/to/project', 'name')`` builds a wheel and stores it.

    ``kind_meta`` records ``package``, ``version``, ``requirements``, ``modules``
    (the first one's ``run(om, **kwargs)`` is the script), ``wheel`` and the
    ``sha256`` of the stored file (the cache key of the script's environment).
    A single ``.py`` file defining ``run(om, ...)`` is stored as a one-module script.
    ``get`` returns a readable stream of the wheel (or module); ``get(name, path=dir)``
    writes the file into ``dir`` and returns its path.
    """

    priority = 10

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        path = source_path(obj)
        if path is None:
            return False
        return is_project(path) or is_script_module(path) or (isinstance(obj, str) and obj.startswith(PKG_SCHEME))

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, **kwargs: Any) -> Any:
        if append:
            raise ValueError(f"{KIND} cannot append to {name!r}; put the whole project")
        path = source_path(obj)
        if path is None or not (is_project(path) or is_script_module(path)):
            raise ValueError(f"cannot store {obj!r} as script {name!r}: give a folder with pyproject.toml or "
                             "setup.py (optionally as pkg://path), or a .py file that defines run(om, **kwargs)")
        with tempfile.TemporaryDirectory() as tmp:
            if is_project(path):
                artifact = build_wheel(path.resolve(), Path(tmp))
                info = {"type": "wheel", **wheel_info(artifact)}
            else:
                artifact = path
                info = {"type": "module", "package": path.stem, "version": "0", "requirements": [],
                        "modules": [path.stem], "wheel": path.name}
            if not info["modules"] or not info["modules"][0].isidentifier():
                raise ValueError(f"script {name!r}: the package has no importable top-level module "
                                 f"({info['modules']}); add one with a run(om, **kwargs) function")
            meta.blobs = []
            digest = hashlib.sha256()
            with open(artifact, "rb") as src, self.write_blob(meta) as (_, dst):
                while chunk := src.read(COPY_BUFFER):
                    digest.update(chunk)
                    dst.write(chunk)
        meta.kind_meta = {**info, "sha256": digest.hexdigest(), "source": str(path)}
        return meta

    def get(self, name: str, meta: Any, path: str | None = None, **kwargs: Any) -> Any:
        reader = self.read_blob(meta.blobs[0])
        if path is None:
            return reader
        target = Path(path) / meta.kind_meta["wheel"]
        with reader, open(target, "wb") as out:
            shutil.copyfileobj(reader, out, COPY_BUFFER)
        return target
