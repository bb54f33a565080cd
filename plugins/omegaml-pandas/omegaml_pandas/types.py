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


def is_unnamed_series(obj: Any) -> bool:
    """True for a Series without a name (``as_frame`` labels its column 0)."""
    import pandas as pd

    return isinstance(obj, pd.Series) and obj.name is None


def restore(frame: Any, what: str, unnamed: bool = False) -> Any:
    """Undo ``as_frame``; ``unnamed``: the Series had no name."""
    if what != "series":
        return frame
    series = frame.iloc[:, 0]
    item = getattr(series.name, "item", None)  # a column label read back as a numpy scalar: the Python value
    return series.rename(None if unnamed else item() if callable(item) else series.name)
