"""``script.ipynb``: Jupyter notebooks (nbformat 4), from a NotebookNode or a local ``.ipynb`` file."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from omegaml_core.backends import BaseDataBackend

from .hooks import JOBS_PREFIX
from .names import SUFFIX, stored_name

KIND = "script.ipynb"


def read_notebook(obj: Any, name: str) -> Any:
    """A validated NotebookNode from a NotebookNode or a path; ValueError saying what is wrong."""
    import nbformat

    try:
        if isinstance(obj, (str, Path)):
            nb = nbformat.read(str(obj), as_version=4)
        else:
            nb = nbformat.from_dict(obj)
        nbformat.validate(nb)
    except (ValueError, nbformat.ValidationError, KeyError, AttributeError) as exc:
        source = f"file {obj}" if isinstance(obj, (str, Path)) else "the object"
        raise ValueError(f"cannot store {name!r}: {source} is not a valid nbformat 4 notebook "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    return nb


class NotebookBackend(BaseDataBackend):
    """Notebooks as one JSON blob; ``get`` returns an ``nbformat.NotebookNode``.

    In ``om.jobs`` a notebook is stored under its name with ``.ipynb``
    (``put(nb, 'report')`` stores ``report.ipynb``), as omega|ml does.
    """

    priority = 10  # above python.file, so `om jobs put report.ipynb report` stores a notebook

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        if isinstance(obj, (str, Path)):
            return str(obj).endswith(SUFFIX) and os.path.isfile(obj)
        nbformat = sys.modules.get("nbformat")
        return nbformat is not None and isinstance(obj, nbformat.NotebookNode) and "cells" in obj

    @classmethod
    def stored_name(cls, prefix: str, name: str) -> str:
        """Jobs are stored with ``.ipynb``, as omega|ml does (``report`` becomes ``report.ipynb``)."""
        return stored_name(name) if prefix == JOBS_PREFIX and not name.endswith(SUFFIX) else name

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, **kwargs: Any) -> Any:
        import nbformat

        if append:
            raise ValueError(f"{KIND} cannot append to {name!r}; put the whole notebook")
        nb = read_notebook(obj, name)
        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            fh.write(nbformat.writes(nb).encode("utf-8"))
        code = [c for c in nb.cells if c.cell_type == "code"]
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
        meta.kind_meta = {"nbformat": nb.nbformat, "cells": len(nb.cells), "code_cells": len(code),
                          "parameters_cell": tagged[0] if tagged else None}
        return meta

    def get(self, name: str, meta: Any, **kwargs: Any) -> Any:
        import nbformat

        if kwargs.get("columns"):
            raise ValueError(f"{KIND} cannot select columns of {name!r}")
        with self.read_blob(meta.blobs[0]) as fh:
            return nbformat.reads(fh.read().decode("utf-8"), as_version=4)
