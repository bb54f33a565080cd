"""``keras.model``: Keras 3 models stored in the native ``.keras`` format, with runtime methods.

Datasets are passed by name and read through ``om.datasets``; DataFrames,
Series and lists are converted to numpy arrays before they reach Keras.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from omegaml_core.backends import BaseModelBackend
from omegaml_core.backends.base import COPY_BUFFER, data_ref

from .archive import (ARCHIVE_NAME, archive_facts, can_write_to, check_savable, describe, load_archive,
                      write_archive)
from .arrays import as_array, plain_history, plain_metrics, storable

if TYPE_CHECKING:
    from omegaml_core.metadata import Metadata

KIND = "keras.model"


def is_keras_model(obj: Any) -> bool:
    """True for a Keras 3 ``keras.Model``; never imports Keras (no model exists if it was never imported)."""
    keras = sys.modules.get("keras")
    model_class = getattr(keras, "Model", None) if keras is not None else None
    return model_class is not None and isinstance(obj, model_class)


class KerasBackend(BaseModelBackend):
    """Sequential, functional and subclassed Keras models (subclassed ones need a registered class).

    ``put`` saves the model in the native format straight into one blob where
    the engine's writer is a seekable file (else through a temporary ``.keras`` file); ``get`` loads it with ``keras.saving.load_model``
    and accepts its ``custom_objects``, ``compile`` and ``safe_mode`` arguments.
    """

    priority = 10
    #: ``get`` passes these to ``keras.saving.load_model``
    extra_options = {"get": ("custom_objects", "compile", "safe_mode")}

    @classmethod
    def supports(cls, obj: Any, name: str, **kwargs: Any) -> bool:
        return is_keras_model(obj)

    def put(self, obj: Any, name: str, meta: "Metadata", append: bool = False, **kwargs: Any) -> "Metadata":
        """Save ``obj`` as a ``.keras`` archive blob; TypeError (nothing written) if Keras could not load it back."""
        if not is_keras_model(obj):
            raise TypeError(f"{KIND} stores keras.Model objects; {name!r} is a {type(obj).__module__}."
                            f"{type(obj).__qualname__}. Pass a Keras model, or another kind=...")
        if append:
            raise ValueError(f"{KIND} does not append; put the whole model again")
        config = check_savable(obj, name)  # refuse before anything is written
        meta.blobs = []
        with self.write_blob(meta) as (_, dst):
            if can_write_to(dst):
                write_archive(obj, dst)
                size = dst.tell()
            else:
                size = self._write_via_file(obj, dst)
        facts = archive_facts(obj, config, size)
        meta.kind_meta = facts
        return meta

    @staticmethod
    def _write_via_file(model: Any, dst: Any) -> int:
        """Save to a temporary ``.keras`` file and stream it into ``dst`` (engines without seekable writers)."""
        with tempfile.TemporaryDirectory(prefix="omegaml-keras-") as tmp:
            path = Path(tmp) / ARCHIVE_NAME
            write_archive(model, path)
            with open(path, "rb") as src:
                shutil.copyfileobj(src, dst, COPY_BUFFER)
            return path.stat().st_size

    def get(self, name: str, meta: "Metadata", **kwargs: Any) -> Any:
        """The stored model, loaded fresh. Keyword arguments go to ``keras.saving.load_model``."""
        if kwargs.pop("columns", None):
            raise ValueError(f"{KIND} cannot select columns; get {name!r} without [...]")
        with self._archive_path(meta.blobs[0]) as path:
            return load_archive(path, meta.kind_meta, name, **kwargs)

    @contextlib.contextmanager
    def _archive_path(self, blob: str) -> Iterator[Path]:
        """A local ``.keras`` path for a blob: a link to the engine's file where it has one, else a copy."""
        with tempfile.TemporaryDirectory(prefix="omegaml-keras-") as tmp:
            path = Path(tmp) / ARCHIVE_NAME
            source = self.blob_source(blob)
            if isinstance(source, str):
                try:
                    os.symlink(source, path)
                except OSError:
                    shutil.copyfile(source, path)
            else:
                with source, open(path, "wb") as dst:
                    shutil.copyfileobj(source, dst, COPY_BUFFER)
            yield path

    # --- model methods, called by the runtime with dataset names ---------------
    def fit(self, modelname: str, Xname: Any, Yname: Any = None, epochs: int = 1, batch_size: int | None = None,
            validation_data: Any = None, verbose: int = 0, **kwargs: Any) -> "Metadata":
        """Train the stored model and store it again; returns its Metadata.

        ``validation_data`` is ``(Xname, Yname)`` (dataset names, or values when
        called in-process). The training history, one float per epoch for every
        metric (``loss``, ``val_loss``, ...), is recorded in the attribute ``history``;
        other keyword arguments go to ``model.fit`` (``validation_split``, ``shuffle``, ...).
        """
        X, Y = self._inputs(Xname, Yname)
        validation = self._validation(validation_data)
        model = self._compiled_model(modelname, "fit")
        history = model.fit(X, Y, epochs=epochs, batch_size=batch_size, validation_data=validation,
                            verbose=verbose, **kwargs)
        attributes = {**self.lineage(Xname, Yname), "history": plain_history(history.history)}
        if validation_data is not None:
            attributes["fitted_on"]["validation"] = [data_ref(v) for v in validation_data]
        return self.store.put(model, modelname, attributes=attributes)

    def partial_fit(self, modelname: str, Xname: Any, Yname: Any = None, epochs: int = 1,
                    batch_size: int | None = None, verbose: int = 0, **kwargs: Any) -> "Metadata":
        """Train the stored model further on a new batch (one epoch by default) and store it again.

        Training continues from the stored weights and optimizer state. The
        history of this call replaces the attribute ``history``.
        """
        X, Y = self._inputs(Xname, Yname)
        model = self._compiled_model(modelname, "partial_fit")
        history = model.fit(X, Y, epochs=epochs, batch_size=batch_size, verbose=verbose, **kwargs)
        return self.store.put(model, modelname, attributes={
            **self.lineage(Xname, Yname), "history": plain_history(history.history)})

    def predict(self, modelname: str, Xname: Any, rName: str | None = None, batch_size: int | None = None,
                verbose: int = 0, **kwargs: Any) -> Any:
        """``model.predict`` on a dataset; with ``rName`` the predictions are also stored as that dataset."""
        X = as_array(self.load_data(Xname))
        result = self.load_model(modelname).predict(X, batch_size=batch_size, verbose=verbose, **kwargs)
        if rName:
            self.store.omega.datasets.put(storable(result), rName)
        return result

    def score(self, modelname: str, Xname: Any, Yname: Any = None, batch_size: int | None = None,
              verbose: int = 0, **kwargs: Any) -> float | dict[str, float]:
        """``model.evaluate``: the loss as a float, or a dict of every metric if the model was
        compiled with ``metrics=[...]`` (e.g. ``{"loss": 0.2, "mae": 0.3}``)."""
        X, Y = self._inputs(Xname, Yname)
        model = self._compiled_model(modelname, "score", for_update=False)
        return plain_metrics(model.evaluate(X, Y, batch_size=batch_size, verbose=verbose, return_dict=True,
                                            **kwargs))

    def predict_proba(self, modelname: str, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{modelname!r} is a Keras model, which has no predict_proba; use predict "
                        "(a softmax or sigmoid output layer already gives probabilities)")

    def decision_function(self, modelname: str, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{modelname!r} is a Keras model, which has no decision_function; use predict")

    def transform(self, modelname: str, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{modelname!r} is a Keras model, which has no transform; use predict")

    def fit_transform(self, modelname: str, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{modelname!r} is a Keras model, which has no fit_transform; use fit, then predict")

    # --- helpers -----------------------------------------------------------------
    def _inputs(self, Xname: Any, Yname: Any) -> tuple[Any, Any]:
        """X and Y as arrays; datasets are read before the model, so a missing name fails fast."""
        X = as_array(self.load_data(Xname))
        Y = as_array(self.load_data(Yname)) if Yname is not None else None
        return X, Y

    def _validation(self, validation_data: Any) -> tuple | None:
        if validation_data is None:
            return None
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError(f"validation_data must be (Xname, Yname) or (Xname, Yname, weights_name), "
                             f"got {validation_data!r}")
        return tuple(as_array(self.load_data(v)) for v in validation_data)

    def _compiled_model(self, modelname: str, method: str, for_update: bool = True) -> Any:
        model = self.load_model(modelname, for_update=for_update)
        if not getattr(model, "compiled", False):
            raise ValueError(f"model {modelname!r} ({describe(model)}) is not compiled, so it cannot {method}: "
                             "call model.compile(optimizer=..., loss=...) and put it again")
        return model

