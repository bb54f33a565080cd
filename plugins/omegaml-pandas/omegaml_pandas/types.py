"""Which objects are pandas objects, decided without importing pandas."""
from __future__ import annotations

import sys
from typing import Any


def is_frame_or_series(obj: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, (pd.DataFrame, pd.Series))


def as_frame(obj: Any) -> tuple[Any, str]:
    """A DataFrame for ``obj`` and what it was: ``'frame'`` or ``'series'``."""
    import pandas as pd

    if isinstance(obj, pd.Series):
        return obj.to_frame(), "series"
    return obj, "frame"


def restore(frame: Any, what: str) -> Any:
    """Undo ``as_frame``."""
    return frame.iloc[:, 0] if what == "series" else frame
