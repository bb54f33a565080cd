"""Converting between what datasets hold and what Keras takes and returns."""
from __future__ import annotations

import math
from typing import Any


def as_array(value: Any) -> Any:
    """What Keras accepts for a dataset value: DataFrames and Series become numpy arrays via
    ``to_numpy()``, lists become arrays, a dict (multi-input models) is converted per key;
    numpy arrays and tensors pass through."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: as_array(item) for key, item in value.items()}
    to_numpy = getattr(value, "to_numpy", None)
    if callable(to_numpy):
        return to_numpy()
    if isinstance(value, (list, tuple)):
        import numpy as np

        return np.asarray(value)
    return value


def storable(result: Any) -> Any:
    """A prediction in a form the datasets store accepts.

    A 1- or 2-dimensional array becomes a pandas DataFrame with columns ``"0"``,
    ``"1"``, ... when pandas is installed; anything else (and everything without
    pandas) becomes nested lists.
    """
    import numpy as np

    if isinstance(result, np.ndarray) and result.ndim <= 2:
        try:
            import pandas as pd
        except ImportError:
            return result.tolist()
        frame = pd.DataFrame(result.reshape(len(result), -1))
        frame.columns = [str(c) for c in frame.columns]
        return frame
    if isinstance(result, (list, tuple)):
        return [storable_list(item) for item in result]
    return storable_list(result)


def storable_list(value: Any) -> Any:
    """Nested lists of plain numbers for an array, or the value itself."""
    return value.tolist() if hasattr(value, "tolist") else value


def plain_history(history: dict[str, list[Any]]) -> dict[str, list[float | None]]:
    """``History.history`` as JSON: each metric a list of floats per epoch, NaN/inf as None."""
    def number(value: Any) -> float | None:
        value = float(value)
        return value if math.isfinite(value) else None

    return {str(metric): [number(v) for v in values] for metric, values in history.items()}


def plain_metrics(metrics: dict[str, Any]) -> float | dict[str, float]:
    """``evaluate(return_dict=True)`` as a float when the model reports only its loss, else a dict."""
    values = {str(name): float(value) for name, value in metrics.items()}
    return next(iter(values.values())) if len(values) == 1 else values
