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
    """A prediction in a form the datasets store accepts: an array as it is (the kernel's
    ``numpy.ndarray`` kind), the outputs of a multi-output model as a list of nested lists."""
    if isinstance(result, (list, tuple)):
        return [item.tolist() if hasattr(item, "tolist") else item for item in result]
    return result


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
