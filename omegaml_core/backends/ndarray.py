"""``numpy.ndarray``: NumPy arrays as one ``.npy`` blob, never a pickle."""
from __future__ import annotations

import sys
from typing import Any

from .base import BaseDataBackend


class NdarrayBackend(BaseDataBackend):
    """Arrays of any shape and of any dtype except ``object``, written and read in ``.npy`` format.

    ``get('x[0,2]')`` selects columns of a 2-D array by position. Subclasses
    of ndarray (``np.matrix``, masked arrays) are not supported: they would
    come back as plain arrays. Plugins may claim arrays with a higher priority.
    """

    priority = -10

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        np = sys.modules.get("numpy")  # not imported: no array can exist
        return np is not None and type(obj) is np.ndarray

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, **kwargs: Any) -> Any:
        import numpy as np

        if obj.dtype.hasobject:
            raise TypeError(f"{self.kind}: {name!r} has dtype {obj.dtype}, which .npy stores only as a pickle; "
                            "convert it (e.g. .astype(str)) or store it as a list or DataFrame")
        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            np.lib.format.write_array(fh, obj, allow_pickle=False)
        meta.kind_meta = {"shape": list(obj.shape), "dtype": obj.dtype.str}
        return meta

    def get(self, name: str, meta: Any, columns: list[str] | None = None, **kwargs: Any) -> Any:
        import numpy as np

        with self.read_blob(meta.blobs[0]) as fh:
            array = np.lib.format.read_array(fh, allow_pickle=False)
        if columns is None:
            return array
        if array.ndim != 2 or not all(c.strip().lstrip("-").isdigit() for c in columns):
            raise ValueError(f"{self.kind}: {name!r} has shape {array.shape}; select columns of a 2-D array "
                             f"by position, e.g. '{name}[0,2]'")
        return array[:, [int(c) for c in columns]]
