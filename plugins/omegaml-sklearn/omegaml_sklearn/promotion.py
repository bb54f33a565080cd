"""Promotion pre-condition, as a hook: an unfitted scikit-learn model is not promoted.

A model is fitted if scikit-learn's ``check_is_fitted`` said so when it was
stored (``kind_meta['fitted']``), so the check needs no model load.
"""
from __future__ import annotations

from typing import Any

from omegaml_core.errors import PromotionRefused
from omegaml_core.hookspecs import hookimpl

from .backend import KIND


@hookimpl
def omega_before_promote(store: Any, meta: Any, target: Any) -> None:
    if meta.kind != KIND or meta.kind_meta.get("fitted", True):
        return
    estimator = meta.kind_meta.get("estimator", "the model")
    raise PromotionRefused(
        f"model {meta.name!r} ({estimator}) in bucket {meta.bucket!r} is not fitted, so it is not promoted to "
        f"bucket {getattr(target, 'bucket', target)!r}. Fit it first, e.g. om.runtime.model({meta.name!r}).fit('X', 'Y')")
