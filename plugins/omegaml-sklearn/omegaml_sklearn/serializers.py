"""How models become bytes: joblib (pickle) by default, or skops with trusted types.

Pickles run code when they are loaded, so a reader must trust everyone who can
write to the store. Readers who do not can refuse pickles:

- ``OMEGA_REFUSE_PICKLES=1`` in the environment of a client or worker, or
  ``om.models.get(name, allow_pickle=False)``, makes every joblib-stored model
  fail to load with :class:`PickleRefused`, and makes ``skops`` the default
  serializer for new puts (so a fit on such a worker stores skops again).
- A skops model loads only if every type in it is trusted: the types skops
  trusts itself (scikit-learn, numpy, scipy), plus those named in
  ``OMEGA_SKOPS_TRUSTED`` (comma-separated, e.g. ``mypkg.MyTransformer``), plus
  ``om.models.get(name, trusted=[...])``. Anything else raises
  :class:`UntrustedTypes` naming the types.
"""
from __future__ import annotations

import os
from typing import Any, BinaryIO

from omegaml_core.config import env_flag
from omegaml_core.errors import OmegaError

SERIALIZERS = ("joblib", "skops")
REFUSE_PICKLES_ENV = "OMEGA_REFUSE_PICKLES"
TRUSTED_ENV = "OMEGA_SKOPS_TRUSTED"


class PickleRefused(OmegaError, PermissionError):
    """A model stored as a pickle was read where pickles are refused."""


class UntrustedTypes(OmegaError, PermissionError):
    """A skops model holds types the reader has not said it trusts."""


def pickles_refused(allow_pickle: bool | None = None) -> bool:
    """True if this read must not unpickle: ``allow_pickle=False``, or OMEGA_REFUSE_PICKLES set."""
    if allow_pickle is not None:
        return not allow_pickle
    return env_flag(REFUSE_PICKLES_ENV)  # only 1/0/true/false/yes/no/on/off: anything else is an error


def default_serializer() -> str:
    return "skops" if pickles_refused() else "joblib"


def check_serializer(serializer: str) -> str:
    if serializer not in SERIALIZERS:
        raise ValueError(f"serializer={serializer!r} is not known; use one of {', '.join(SERIALIZERS)}")
    return serializer


def dump(model: Any, fh: BinaryIO, serializer: str) -> None:
    """Write ``model`` to the binary stream ``fh``."""
    if serializer == "skops":
        import skops.io
        from skops.io.exceptions import UnsupportedTypeException

        try:
            data = skops.io.dumps(model)
        except UnsupportedTypeException as exc:
            raise TypeError(f"skops cannot store this {type(model).__name__}: {exc} "
                            "Put it with serializer='joblib' (a pickle) instead") from None
        fh.write(data)
    else:
        import joblib

        joblib.dump(model, fh)


def load(fh: BinaryIO, serializer: str, name: str, trusted: list[str] | None = None,
         allow_pickle: bool | None = None) -> Any:
    """Read a model from the seekable binary stream ``fh``, under the trust rules above."""
    if serializer == "skops":
        return _load_skops(fh, name, trusted)
    if pickles_refused(allow_pickle):
        raise PickleRefused(
            f"model {name!r} is stored as a joblib pickle, and this process refuses pickles "
            f"({REFUSE_PICKLES_ENV} is set or allow_pickle=False). Ask someone you trust to put it again "
            f"with serializer='skops', or load it with allow_pickle=True if you trust every writer of this store")
    import joblib

    return joblib.load(fh)


def _load_skops(fh: BinaryIO, name: str, trusted: list[str] | None) -> Any:
    import skops.io

    data = fh.read()
    allowed = set(trusted or []) | {t.strip() for t in os.environ.get(TRUSTED_ENV, "").split(",") if t.strip()}
    untrusted = sorted(set(skops.io.get_untrusted_types(data=data)) - allowed)
    if untrusted:
        raise UntrustedTypes(
            f"model {name!r} holds types that are not trusted: {', '.join(untrusted)}. If you trust them, pass "
            f"om.models.get({name!r}, trusted=[...]) or list them in {TRUSTED_ENV}")
    return skops.io.loads(data, trusted=sorted(allowed) or None)
