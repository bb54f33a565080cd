"""omegaml-core: store, version and run data-science objects with metadata.

    import omegaml_core as om
    om.datasets.put({'a': 1}, 'config')
    om.models.put(clf, 'clf')
    om.runtime.model('clf').fit('X', 'Y').get()
    om_prod = om['prod']

The default context is created on first use from the environment
(``OMEGA_MONGO_URL``, ``OMEGA_HOME``, ``OMEGA_BROKER``) or the config file.
"""
from __future__ import annotations

import sys
import threading
import types
from typing import Any

from .errors import ObjectNotFound, UnsupportedObjectError
from .metadata import Metadata
from .omega import Omega, setup

__version__ = "0.1.0"
__all__ = ["Omega", "Metadata", "setup", "defaults", "reset", "ObjectNotFound", "UnsupportedObjectError"]

_default: Omega | None = None
_lock = threading.Lock()
_FORWARDED = {"datasets", "models", "jobs", "scripts", "runtime", "plugins", "bucket", "config", "engine"}


def defaults() -> Omega:
    """The default context, created on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Omega()
        return _default


def reset() -> None:
    """Forget the default context, so the next use reads the configuration again."""
    global _default
    with _lock:
        _default = None


def __getattr__(name: str) -> Any:
    if name in _FORWARDED:
        return getattr(defaults(), name)
    raise AttributeError(f"module 'omegaml_core' has no attribute {name!r}")


class _OmegaModule(types.ModuleType):
    """Lets ``om['prod']`` select a bucket of the default context."""

    def __getitem__(self, bucket: str) -> Omega:
        return defaults()[bucket]

    # ``om.runtime`` is the default context's runtime, although a subpackage has the same name:
    # importing it makes Python set this attribute, which must not hide the property.
    @property
    def runtime(self) -> Any:
        return defaults().runtime

    @runtime.setter
    def runtime(self, module: Any) -> None:
        self.__dict__["_runtime_package"] = module


sys.modules[__name__].__class__ = _OmegaModule
