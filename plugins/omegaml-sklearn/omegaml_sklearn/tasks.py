"""The plugin's runtime tasks (``omegaml.tasks: sklearn``).

``om.runtime.model('clf').gridsearch('X', 'Y', {'C': [0.1, 1, 10]})`` runs a
cross-validated grid search on a worker, stores the best estimator (refitted
on all data) as the model, records the search in its attributes and returns
a summary.
"""
from __future__ import annotations

from typing import Any

from omegaml_core.runtime import task

from .backend import KIND

#: keyword arguments passed through to GridSearchCV
GRIDSEARCH_OPTIONS = ("cv", "scoring", "n_jobs", "error_score", "return_train_score")
#: candidates whose scores are kept in the model's attributes (the best ranked first); the result has all
MAX_RECORDED_CANDIDATES = 200


@task("sklearn.gridsearch", model_method="gridsearch")
def gridsearch(om: Any, modelname: str, Xname: Any, Yname: Any, parameters: dict | list,
               **options: Any) -> dict[str, Any]:
    """Grid-search ``parameters`` for the model on datasets ``Xname``/``Yname``; returns the results.

    The result: ``best_params``, ``best_score`` and, per candidate, its
    ``params``, ``mean_test_score``, ``std_test_score`` and ``rank``.
    """
    from sklearn.model_selection import GridSearchCV

    unknown = sorted(set(options) - set(GRIDSEARCH_OPTIONS))
    if unknown:
        raise TypeError(f"gridsearch: unknown options {', '.join(unknown)}; allowed: {', '.join(GRIDSEARCH_OPTIONS)}")
    if not isinstance(parameters, (dict, list)) or not parameters:
        raise ValueError("gridsearch: parameters must be a non-empty dict of parameter name to list of values "
                         "(or a list of such dicts), e.g. {'C': [0.1, 1, 10]}")
    meta = om.models.metadata(modelname)
    if meta.kind != KIND:
        raise TypeError(f"gridsearch needs a scikit-learn model; {modelname!r} is of kind {meta.kind!r}")
    backend = om.models.backend(meta.kind)
    model = backend.load_model(modelname, for_update=True)
    search = GridSearchCV(model, parameters, refit=True, **options)
    search.fit(backend.load_data(Xname), backend.load_target(Yname))
    results = search.cv_results_
    candidates = [{"params": results["params"][i], "mean_test_score": float(results["mean_test_score"][i]),
                   "std_test_score": float(results["std_test_score"][i]), "rank": int(results["rank_test_score"][i])}
                  for i in range(len(results["params"]))]
    summary = {"best_params": search.best_params_, "best_score": float(search.best_score_), "candidates": candidates}
    kept = set(sorted(range(len(candidates)), key=lambda i: candidates[i]["rank"])[:MAX_RECORDED_CANDIDATES])
    recorded = [{"params": c["params"], "mean_test_score": c["mean_test_score"], "rank": c["rank"]}
                for i, c in enumerate(candidates) if i in kept]  # in the search's order, so a chart follows the grid
    attributes = {**backend.lineage(Xname, Yname),
                  "gridsearch": {"best_params": summary["best_params"], "best_score": summary["best_score"],
                                 "candidates": recorded, "total_candidates": len(candidates)}}
    om.models.put(search.best_estimator_, modelname, attributes=attributes)
    return summary
