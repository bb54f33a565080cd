"""A tiny model kind for runtime tests (installed on workers through a dist-info on their path)."""
import json
import os
import time

from omegaml_core.backends import BaseModelBackend
from omegaml_core.runtime import task


class TinyModel:
    """Predicts the mean of the targets it was fitted on; can be slow to fit."""

    def __init__(self, mean=None, fit_seconds=0.0):
        self.mean, self.fit_seconds = mean, fit_seconds

    def fit(self, X, Y):
        time.sleep(self.fit_seconds)
        self.mean = sum(Y) / len(Y)
        return self

    def predict(self, X):
        if self.mean is None:
            raise ValueError("TinyModel is not fitted")
        return [self.mean] * len(X)

    def score(self, X, Y):
        return -sum(abs(self.mean - y) for y in Y) / len(Y)


class TinyModelBackend(BaseModelBackend):
    priority = 10
    loads = 0

    @classmethod
    def supports(cls, obj, name, **kwargs):
        return isinstance(obj, TinyModel)

    def put(self, obj, name, meta, append=False, **kwargs):
        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            fh.write(json.dumps({"mean": obj.mean, "fit_seconds": obj.fit_seconds}).encode())
        return meta

    def get(self, name, meta, **kwargs):
        type(self).loads += 1
        with self.read_blob(meta.blobs[0]) as fh:
            return TinyModel(**json.load(fh))


@task("tiny.whoami", model_method="whoami")
def whoami(om, modelname, **kwargs):
    """A plugin task registered as a model method."""
    return {"model": modelname, "worker": os.environ.get("OMEGA_WORKER_NAME", "local"),
            "loads": TinyModelBackend.loads}


class PickledModelBackend(BaseModelBackend):
    """Stores any object as a pickle: stands for every backend that unpickles what it reads."""

    @classmethod
    def supports(cls, obj, name, **kwargs):
        return False  # only when asked for by kind="tiny.pickle"

    def put(self, obj, name, meta, append=False, **kwargs):
        import pickle

        meta.blobs = []
        with self.write_blob(meta) as (_, fh):
            fh.write(pickle.dumps(obj))
        return meta

    def get(self, name, meta, **kwargs):
        import pickle

        with self.read_blob(meta.blobs[0]) as fh:
            return pickle.loads(fh.read())


@task("tiny.touch")
def touch(om, path):
    """Write a file: a task whose effect a test can see (did the message run?)."""
    with open(path, "w") as fh:
        fh.write(os.environ.get("OMEGA_WORKER_NAME", "local"))
    return path
@task("tiny.fail", model_method="fail")
def fail(om, modelname, **kwargs):
    """Raises an exception from a module that clients never import."""
    from tinyerrors import RemoteOnlyError

    raise RemoteOnlyError(f"{modelname} failed on purpose")
