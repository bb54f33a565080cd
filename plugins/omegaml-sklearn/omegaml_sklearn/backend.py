"""``sklearn.joblib``: any scikit-learn estimator or Pipeline, as a model."""
from __future__ import annotations

import sys
from typing import Any

from omegaml_core.backends import BaseModelBackend
from omegaml_core.errors import ObjectNotFound

from . import serializers

#: The kind this plugin registers (entry point name in pyproject.toml).
KIND = "sklearn.joblib"


def is_fitted(model: Any) -> bool:
    """scikit-learn's own answer to "is this estimator fitted?"."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator in scikit-learn's sense; it cannot tell
        return True
    return True


class SklearnBackend(BaseModelBackend):
    """Stores scikit-learn estimators and Pipelines as one blob.

    ``put(model, name, serializer='joblib'|'skops')`` chooses the format; a
    later put of the same name (a fit, say) keeps the format it was stored in.
    ``get(name, trusted=[...], allow_pickle=...)`` applies the trust rules of
    :mod:`omegaml_sklearn.serializers`. ``kind_meta`` records the serializer,
    the estimator's class, the scikit-learn version and whether it is fitted.

    The model methods (fit, predict, ... with dataset names) are the kernel's;
    a single-column DataFrame target is passed to scikit-learn as a Series.
    """

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        base = sys.modules.get("sklearn.base")  # no sklearn imported: no sklearn object exists
        return base is not None and isinstance(obj, base.BaseEstimator)

    def put(self, obj: Any, name: str, meta: Any, append: bool = False, serializer: str | None = None,
            **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"{self.kind}: unexpected options for put: {', '.join(sorted(kwargs))}")
        import sklearn

        serializer = serializers.check_serializer(serializer or self._current_serializer(name))
        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            serializers.dump(obj, fh, serializer)
        meta.kind_meta = {"serializer": serializer, "estimator": f"{type(obj).__module__}.{type(obj).__qualname__}",
                          "sklearn_version": sklearn.__version__, "fitted": is_fitted(obj)}
        return meta

    def _current_serializer(self, name: str) -> str:
        try:
            current = self.store.metadata(name)
        except ObjectNotFound:
            return serializers.default_serializer()
        return current.kind_meta.get("serializer") or serializers.default_serializer()

    def get(self, name: str, meta: Any, trusted: list[str] | None = None, allow_pickle: bool | None = None,
            **kwargs: Any) -> Any:
        if kwargs.get("columns"):
            raise ValueError(f"{self.kind}: a model has no columns to select ({name!r})")
        with self.read_blob(meta.blobs[0]) as fh:
            return serializers.load(fh, meta.kind_meta.get("serializer", "joblib"), name, trusted, allow_pickle)

    def load_target(self, name_or_value: Any) -> Any:
        target = self.load_data(name_or_value)
        if hasattr(target, "iloc") and target.ndim == 2 and target.shape[1] == 1:
            return target.iloc[:, 0]  # what scikit-learn expects of a single target column
        return target
