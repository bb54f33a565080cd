"""Fixtures for omegaml-keras: tiny models and data, so every test runs in well under a second.

The ``omega`` fixture (both storage engines) comes from the kernel's pytest plugin.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is first imported

import numpy as np
import pytest

ROWS = 20


@pytest.fixture
def xy():
    """20 rows, 2 features, a linear target: ``(X, Y)`` as float32 arrays."""
    rng = np.random.default_rng(7)
    X = rng.random((ROWS, 2)).astype("float32")
    return X, (X @ np.array([[2.0], [-1.0]], dtype="float32") + 0.5)


@pytest.fixture
def frames(xy):
    """The same data as DataFrames, the form datasets are stored in."""
    import pandas as pd

    X, Y = xy
    return pd.DataFrame(X, columns=["a", "b"]), pd.DataFrame(Y, columns=["y"])


@pytest.fixture
def stored_data(omega, frames):
    """``X``, ``Y`` and a validation pair ``Xval``, ``Yval`` in the datasets store."""
    X, Y = frames
    omega.datasets.put(X, "X")
    omega.datasets.put(Y, "Y")
    omega.datasets.put(X.iloc[:8], "Xval")
    omega.datasets.put(Y.iloc[:8], "Yval")
    return omega
