"""The model page: kind and class, versions, lineage, grid-search scores; promote and predict as actions."""
from __future__ import annotations

import json
import logging
import re
from typing import Any

from . import charts
from .context import Page, UiContext

log = logging.getLogger("omegaml_server.ui")
#: datasets offered for a predict (the first ones by name; a longer list names the rest as a count)
MAX_DATASET_CHOICES = 500
PREDICTION_ROWS = 20
#: what kind_meta keys name the model's class, by plugin (sklearn: estimator, keras: class)
CLASS_KEYS = ("estimator", "class", "model_class")
#: version attributes that are bookkeeping, not facts about the model
VERSION_BOOKKEEPING = ("version", "version_of", "model_rev")
_PROJECTION = re.compile(r"^(?P<name>.+?)\[[^\[\]]*\]$")


def routes(ui: UiContext) -> Any:
    """The model page (the object view of every model kind) and its promote and predict actions."""
    from fastapi import APIRouter

    from .preview import cell

    ui.env.filters["cell"] = cell
    ui.object_view("models")(model_view)
    ui.object_action("models", "promote", "write")(promote)
    ui.object_action("models", "predict", "read")(predict)
    return APIRouter(include_in_schema=False)


def model_view(ui: UiContext, page: Page, meta: Any, prediction: dict[str, Any] | None = None,
               status: int = 200) -> Any:
    """``/ui/b/{bucket}/models/{name}`` (runs in a worker thread)."""
    from omegaml_core.versioning import versions

    history = versions(page.omega.models, meta.name)
    dataset_names = page.omega.datasets.list()
    return ui.render(page, "model.html", status=status, store="models", meta=meta, model_class=model_class(meta),
                     details=kind_details(meta), versions=[version_row(v) for v in history],
                     lineage=lineage(page.omega, meta.attributes),
                     gridsearch=gridsearch_chart(meta.attributes), best_scores=best_score_chart(history),
                     datasets=dataset_names[:MAX_DATASET_CHOICES], more_datasets=max(len(dataset_names) - MAX_DATASET_CHOICES, 0),
                     targets=promotion_targets(ui, page) if page.can("write") else [],
                     prediction=prediction)


# --- facts -----------------------------------------------------------------------------
def model_class(meta: Any) -> str | None:
    """The model's class as its plugin recorded it (``sklearn.linear_model._logistic.LogisticRegression``)."""
    for key in CLASS_KEYS:
        value = meta.kind_meta.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def kind_details(meta: Any) -> list[tuple[str, Any]]:
    """Other simple facts the kind records (library version, fitted, parameters), never storage locations."""
    shown = []
    for key, value in sorted(meta.kind_meta.items()):
        if key in CLASS_KEYS or key in ("serializer", "modules") or not isinstance(value, (str, int, float, bool)):
            continue
        shown.append((key.replace("_", " "), value))
    return shown


def version_row(version: Any) -> dict[str, Any]:
    """A version: its number, when it was stored and its attributes (without the bookkeeping ones)."""
    attributes = {k: v for k, v in version.attributes.items() if k not in VERSION_BOOKKEEPING}
    return {"number": version.attributes.get("version"), "created": version.created, "attributes": attributes}


def lineage(omega: Any, attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """The datasets the model was fitted on (``fitted_on``), each with the name of an existing dataset to link."""
    fitted_on = attributes.get("fitted_on")
    if not isinstance(fitted_on, dict):
        return []
    found = []
    for role, ref in fitted_on.items():
        if ref is None:
            continue
        text = str(ref)
        match = _PROJECTION.match(text)
        name = match["name"] if match else text
        exists = not text.startswith("<") and _exists(omega, name)
        found.append({"role": role, "ref": text, "dataset": name if exists else None})
    return found


def _exists(omega: Any, name: str) -> bool:
    try:
        return bool(omega.datasets.exists(name))
    except Exception:  # a name the store refuses is not a dataset
        return False


def gridsearch_chart(attributes: dict[str, Any]) -> dict[str, Any] | None:
    """The last grid search: its best parameters and score and a bar per candidate's mean test score."""
    search = attributes.get("gridsearch")
    if not isinstance(search, dict):
        return None
    candidates = [c for c in search.get("candidates") or [] if isinstance(c, dict)
                  and isinstance(c.get("mean_test_score"), (int, float))]
    labels = [_params_text(c.get("params")) for c in candidates]
    chart = charts.bar_chart(labels, [c["mean_test_score"] for c in candidates], "mean test score per candidate",
                             width=480, height=120) if candidates else None
    return {"best_params": search.get("best_params"), "best_score": search.get("best_score"), "chart": chart,
            "candidates": [{"params": label, "score": c["mean_test_score"], "rank": c.get("rank")}
                           for label, c in zip(labels, candidates)],
            "total": search.get("total_candidates", len(candidates))}


def best_score_chart(history: list[Any]) -> Any:
    """The best grid-search score of each version that has one, as a line (None for fewer than two)."""
    points = [(f"version {v.attributes.get('version')}", v.attributes["gridsearch"]["best_score"]) for v in history
              if isinstance(v.attributes.get("gridsearch"), dict)
              and isinstance(v.attributes["gridsearch"].get("best_score"), (int, float))]
    return charts.line_chart(points, "best grid-search score per version") if len(points) > 1 else None


def _params_text(params: Any) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in params.items())
    return json.dumps(params, default=str)


def promotion_targets(ui: UiContext, page: Page) -> list[str]:
    """Buckets other than this one on which the user may write (a ``*`` grant: any bucket, typed in)."""
    from ..accounts.roles import ANY_BUCKET, includes

    context = ui.api.settings.context
    names = {g.bucket for g in ui.accounts.list_grants(page.username) if g.context == context
             and g.bucket != ANY_BUCKET and includes(g.role, "write")}
    return sorted(names - {page.bucket})


# --- actions -------------------------------------------------------------------------------
def promote(ui: UiContext, page: Page, meta: Any) -> Any:
    """``action=promote``: copy the model into ``target`` (the user needs write there too); a refusal is a message."""
    from omegaml_core.errors import PromotionRefused

    from ..accounts.roles import includes

    here = ui.url(page.bucket, "models", meta.name)
    target = str(page.form.get("target", "")).strip()
    if not target:
        return ui.redirect(here, "not promoted: choose the bucket to promote to", "error")
    role = ui.accounts.role_of(page.username, target, ui.api.settings.context)
    if role is None or not includes(role, "write"):
        return ui.redirect(here, f"not promoted: you ({page.username}) may not write in bucket {target!r} (you have "
                                 f"{role or 'no grant'} there); ask an admin: om grants add {page.username} "
                                 f"{target} write", "error")
    try:
        target_omega = ui.api.omega_for(target)
        page.omega.models.promote(meta.name, target_omega.models)
    except PromotionRefused as exc:
        return ui.redirect(here, f"not promoted: {exc}", "error")
    except ValueError as exc:  # onto itself, an invalid bucket name
        return ui.redirect(here, f"not promoted: {exc}", "error")
    except Exception as exc:
        if getattr(exc, "status", None):  # a Problem (an invalid bucket name)
            return ui.redirect(here, f"not promoted: {getattr(exc, 'detail', exc)}", "error")
        raise
    log.info("UI: %s promoted model %r from bucket %r to %r", page.username, meta.name, page.bucket, target)
    return ui.redirect(here, f"promoted {meta.name} to bucket {target}", "success")


def predict(ui: UiContext, page: Page, meta: Any) -> Any:
    """``action=predict``: ``predict`` on a dataset of the bucket, as the REST API runs it; the page shows the result."""
    from .. import execution
    from ..plugins import jsonable

    dataset = str(page.form.get("dataset", "")).strip()
    prediction: dict[str, Any] = {"dataset": dataset}
    if not dataset:
        prediction["error"] = "choose a dataset to predict on"
    else:
        try:
            result = jsonable(execution.run(page.omega, meta.name, "predict", [dataset], {}))
        except Exception as exc:  # the model's or the data's error: shown on the page, with what to check
            prediction["error"] = (f"predict on {dataset!r} failed: {_message(exc)}. Check that the dataset has the "
                                   "columns the model was fitted on")
        else:
            prediction.update(_rows(result))
    return model_view(ui, page, meta, prediction=prediction, status=200 if "error" not in prediction else 400)


def _message(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return (text or type(exc).__name__)[:1000]


def _rows(result: Any) -> dict[str, Any]:
    """The first rows of a prediction (a list of values or of rows, or a single value) and how many there are."""
    if isinstance(result, dict) and "data" in result and isinstance(result["data"], list):
        result = result["data"]
    if not isinstance(result, list):
        return {"rows": [[result]], "total": 1}
    rows = [r if isinstance(r, list) else [r] for r in result[:PREDICTION_ROWS]]
    return {"rows": rows, "total": len(result)}
