"""How to build and fit every estimator ``sklearn.utils.all_estimators()`` lists, on tiny data.

Most estimators fit with their defaults on a small numeric X and a target of
their type. The ones that need constructor arguments or other inputs have a
recipe here; a new scikit-learn estimator without one is still tested with the
defaults, so the sweep notices it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

RNG = np.random.RandomState(0)
X = np.abs(RNG.rand(40, 4)) + 0.01
Y_CLASS = np.arange(40) % 2
Y_REG = RNG.rand(40)
TEXT = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 10


def _lr() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


def _ridge() -> Any:
    from sklearn.linear_model import Ridge

    return Ridge()


#: constructor arguments for estimators that have required ones (or defaults too large for tiny data)
ARGS: dict[str, Callable[[], dict]] = {
    "ClassifierChain": lambda: {"estimator": _lr()},
    "RegressorChain": lambda: {"estimator": _ridge()},
    "ColumnTransformer": lambda: {"transformers": [("scale", _scaler(), [0, 1])]},
    "FeatureUnion": lambda: {"transformer_list": [("scale", _scaler())]},
    "Pipeline": lambda: {"steps": [("scale", _scaler()), ("clf", _lr())]},
    "FixedThresholdClassifier": lambda: {"estimator": _lr()},
    "TunedThresholdClassifierCV": lambda: {"estimator": _lr()},
    "FrozenEstimator": lambda: {"estimator": _lr().fit(X, Y_CLASS)},
    "GridSearchCV": lambda: {"estimator": _lr(), "param_grid": {"C": [0.1, 1.0]}},
    "RandomizedSearchCV": lambda: {"estimator": _lr(), "param_distributions": {"C": [0.1, 1.0]}, "n_iter": 2,
                                   "random_state": 0},
    "MultiOutputClassifier": lambda: {"estimator": _lr()},
    "MultiOutputRegressor": lambda: {"estimator": _ridge()},
    "OneVsOneClassifier": lambda: {"estimator": _lr()},
    "OneVsRestClassifier": lambda: {"estimator": _lr()},
    "OutputCodeClassifier": lambda: {"estimator": _lr(), "random_state": 0},
    "RFE": lambda: {"estimator": _lr()},
    "RFECV": lambda: {"estimator": _lr()},
    "SelectFromModel": lambda: {"estimator": _ridge()},
    "SequentialFeatureSelector": lambda: {"estimator": _ridge()},
    "SelfTrainingClassifier": lambda: {"estimator": _lr()},
    "StackingClassifier": lambda: {"estimators": [("lr", _lr())]},
    "StackingRegressor": lambda: {"estimators": [("ridge", _ridge())]},
    "VotingClassifier": lambda: {"estimators": [("lr", _lr())]},
    "VotingRegressor": lambda: {"estimators": [("ridge", _ridge())]},
    "SparseCoder": lambda: {"dictionary": np.eye(4)},
    "CCA": lambda: {"n_components": 1},
    "PLSCanonical": lambda: {"n_components": 1},
    "PLSSVD": lambda: {"n_components": 1},
    "GaussianRandomProjection": lambda: {"n_components": 2, "random_state": 0},
    "SparseRandomProjection": lambda: {"n_components": 2, "random_state": 0},
}

#: inputs for estimators that do not take a numeric X (and a target of their type)
INPUTS: dict[str, Callable[[], tuple]] = {
    "CountVectorizer": lambda: (TEXT,),
    "TfidfVectorizer": lambda: (TEXT,),
    "HashingVectorizer": lambda: (TEXT,),
    "DictVectorizer": lambda: ([{"a": float(i), "b": 1.0} for i in range(10)],),
    "FeatureHasher": lambda: ([{"a": float(i), "b": 1.0} for i in range(10)],),
    "LabelBinarizer": lambda: (Y_CLASS,),
    "LabelEncoder": lambda: (Y_CLASS,),
    "MultiLabelBinarizer": lambda: ([[1, 2], [3], [1]],),
    "IsotonicRegression": lambda: (X[:, 0], Y_REG),
    "KernelCenterer": lambda: (X @ X.T,),
    "MultiTaskElasticNet": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "MultiTaskElasticNetCV": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "MultiTaskLasso": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "MultiTaskLassoCV": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "ClassifierChain": lambda: (X, np.c_[Y_CLASS, 1 - Y_CLASS]),
    "RegressorChain": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "MultiOutputClassifier": lambda: (X, np.c_[Y_CLASS, 1 - Y_CLASS]),
    "MultiOutputRegressor": lambda: (X, np.c_[Y_REG, Y_REG[::-1]]),
    "NeighborhoodComponentsAnalysis": lambda: (X, Y_CLASS),
    "SelfTrainingClassifier": lambda: (X, np.where(np.arange(40) < 30, Y_CLASS, -1)),
}

#: methods whose outputs must be equal before and after the round trip (whichever the estimator has)
OUTPUT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform",
                  "score_samples", "inverse_transform")


def _scaler() -> Any:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler()


def fitted(name: str, cls: type) -> tuple[Any, tuple]:
    """``(estimator fitted on tiny data, the inputs it was fitted on)``."""
    from sklearn.base import is_classifier

    estimator = cls(**ARGS.get(name, dict)())
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    inputs = INPUTS.get(name, lambda: (X, Y_CLASS if is_classifier(estimator) else Y_REG))()
    estimator.fit(*inputs)
    return estimator, inputs


def outputs(estimator: Any, inputs: tuple) -> dict[str, Any]:
    """What ``estimator`` predicts or transforms for the first of ``inputs``, per method it has."""
    found = {}
    for method in OUTPUT_METHODS:
        fn = getattr(estimator, method, None)
        if fn is None:
            continue
        arg = inputs[0] if method != "inverse_transform" else found.get("transform")
        if arg is None:
            continue
        try:
            found[method] = fn(arg)
        except Exception as exc:  # the method exists but does not apply (e.g. predict_proba of a hinge loss)
            found[method] = f"raised {type(exc).__name__}"
    return found


def assert_same_state(expected: Any, actual: Any, path: str) -> None:
    """The fitted state (public attributes ending in ``_``, recursively) is identical, bit for bit."""
    from sklearn.base import BaseEstimator

    assert type(actual) is type(expected), path
    if isinstance(expected, BaseEstimator):
        names = sorted(k for k in vars(expected) if k.endswith("_") and not k.startswith("_"))
        assert names == sorted(k for k in vars(actual) if k.endswith("_") and not k.startswith("_")), path
        for key in names:
            assert_same_state(getattr(expected, key), getattr(actual, key), f"{path}.{key}")
        assert expected.get_params(deep=False).keys() == actual.get_params(deep=False).keys(), path
    elif hasattr(expected, "toarray"):
        assert (expected != actual).nnz == 0, path
    elif isinstance(expected, np.ndarray):
        assert expected.dtype == actual.dtype, path
        if expected.dtype == object:
            assert_same_state(list(expected.ravel()), list(actual.ravel()), path)
        else:
            np.testing.assert_array_equal(actual, expected, err_msg=path, strict=True)
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(actual), path
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same_state(e, a, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert expected.keys() == actual.keys(), path
        for key in expected:
            assert_same_state(expected[key], actual[key], f"{path}[{key!r}]")
    elif isinstance(expected, (int, float, str, bytes, bool, type(None), np.generic)):
        assert (actual == expected) or (expected != expected and actual != actual), path  # NaN == NaN here


def assert_same_outputs(expected: dict, actual: dict, name: str) -> None:
    """Equal outputs; floats to 1e-12 relative, the rounding noise of BLAS on differently aligned copies."""
    assert expected.keys() == actual.keys(), name
    for method, value in expected.items():
        got = actual[method]
        if hasattr(value, "toarray"):
            value, got = value.toarray(), got.toarray()
        if isinstance(value, str) or (isinstance(value, list) and not hasattr(value[0], "__len__")):
            assert got == value, f"{name}.{method}"
        elif isinstance(value, list):  # ragged results, e.g. inverse_transform of a vectorizer
            assert len(got) == len(value), f"{name}.{method}"
            for e, a in zip(value, got):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(e), err_msg=f"{name}.{method}")
        elif np.asarray(value).dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(got), np.asarray(value), rtol=1e-12, atol=1e-14,
                                       err_msg=f"{name}.{method}")
        else:
            np.testing.assert_array_equal(np.asarray(got), np.asarray(value), err_msg=f"{name}.{method}")
