"""Model methods by dataset name through the runtime (in-process here: the same JSON round trip as a worker)."""
import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from omegaml_core.errors import ObjectNotFound
from omegaml_sklearn.backend import SklearnBackend


def test_fit_by_dataset_names_stores_the_fitted_model_and_its_lineage(om, frames):
    X, Y = frames
    om.models.put(LogisticRegression(), "clf")
    result = om.runtime.model("clf").fit("X", "Y").get()
    assert result["attributes"]["fitted_on"] == {"X": "X", "Y": "Y"}
    meta = om.models.metadata("clf")
    assert meta.kind_meta["fitted"] is True and meta.attributes["fitted_on"] == {"X": "X", "Y": "Y"}
    expected = LogisticRegression().fit(X, Y["y"])
    np.testing.assert_array_equal(om.models.get("clf").coef_, expected.coef_)


def test_predict_variants_return_plain_lists(om, frames):
    X, Y = frames
    om.models.put(LogisticRegression().fit(X, Y["y"]), "clf")
    model = om.runtime.model("clf")
    local = om.models.get("clf")
    assert model.predict("X").get() == local.predict(X).tolist()
    np.testing.assert_allclose(model.predict_proba("X").get(), local.predict_proba(X))
    np.testing.assert_allclose(model.decision_function("X").get(), local.decision_function(X))
    assert model.score("X", "Y").get() == pytest.approx(local.score(X, Y["y"]))
    assert model.predict("X[a,b]").get() == local.predict(X).tolist()


def test_predict_with_rname_stores_the_result_as_a_dataset(om, frames):
    X, Y = frames
    om.models.put(LogisticRegression().fit(X, Y["y"]), "clf")
    om.runtime.model("clf").predict("X", rName="pred").get()
    np.testing.assert_array_equal(om.datasets.get("pred"), om.models.get("clf").predict(X))


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")  # the ndarray input, on purpose
def test_in_memory_inputs_go_in_as_temporary_datasets(om, frames):
    X, Y = frames
    om.models.put(LogisticRegression().fit(X, Y["y"]), "clf")
    assert om.runtime.model("clf").predict(X.head(3)).get() == om.models.get("clf").predict(X.head(3)).tolist()
    array = X.to_numpy()
    assert om.runtime.model("clf").predict(array).get() == om.models.get("clf").predict(array).tolist()
    assert om.datasets.list(hidden=True) == ["X", "Y"]


def test_transform_and_fit_transform(om, frames):
    X, _ = frames
    om.models.put(StandardScaler(), "scaler")
    result = om.runtime.model("scaler").fit_transform("X", rName="scaled").get()
    np.testing.assert_allclose(result, StandardScaler().fit_transform(X))
    assert om.models.metadata("scaler").kind_meta["fitted"] is True
    np.testing.assert_allclose(om.runtime.model("scaler").transform("X").get(), result)
    np.testing.assert_allclose(om.datasets.get("scaled"), result)


def test_partial_fit_trains_further_on_each_batch(om, frames):
    X, Y = frames
    om.models.put(SGDClassifier(random_state=0), "sgd")
    om.runtime.model("sgd").partial_fit("X", "Y", classes=[0, 1]).get()
    first = om.models.get("sgd").coef_.copy()
    om.runtime.model("sgd").partial_fit("X", "Y").get()
    assert not np.array_equal(om.models.get("sgd").coef_, first)
    assert om.models.get("sgd").t_ > 60


def test_a_pipeline_fits_and_predicts_like_a_single_estimator(om, frames):
    X, Y = frames
    om.models.put(make_pipeline(StandardScaler(), LogisticRegression()), "pipe")
    om.runtime.model("pipe").fit("X", "Y").get()
    expected = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y["y"]).predict(X).tolist()
    assert om.runtime.model("pipe").predict("X").get() == expected


def test_unsupervised_fit_takes_no_target(om, frames):
    om.models.put(KMeans(n_clusters=2, random_state=0, n_init=1), "km")
    assert om.runtime.model("km").fit("X").get()["attributes"]["fitted_on"] == {"X": "X", "Y": None}
    assert len(om.runtime.model("km").predict("X").get()) == 60


def test_errors_come_back_with_their_type_and_message(om, frames):
    om.models.put(LogisticRegression(), "clf")
    with pytest.raises(Exception, match="not fitted") as err:
        om.runtime.model("clf").predict("X").get()
    assert type(err.value).__name__ == "NotFittedError"
    with pytest.raises(ObjectNotFound, match="nope"):
        om.runtime.model("clf").fit("nope", "Y").get()
    assert om.models.metadata("clf").kind_meta["fitted"] is False  # the failed fit changed nothing


def test_repeated_predicts_do_not_read_an_unchanged_model_again(om, frames, monkeypatch):
    X, Y = frames
    om.models.put(LogisticRegression().fit(X, Y["y"]), "clf")
    reads = []
    original = SklearnBackend.get
    monkeypatch.setattr(SklearnBackend, "get", lambda self, *a, **k: reads.append(a[0]) or original(self, *a, **k))
    for _ in range(5):
        om.runtime.model("clf").predict("X").get()
    assert reads == ["clf"]
    om.runtime.model("clf").fit("X", "Y").get()  # a new revision is read again
    om.runtime.model("clf").predict("X").get()
    assert reads.count("clf") == 3  # once for the fit (fresh copy), once after it


def test_gridsearch_stores_the_best_estimator_and_returns_the_search(om, frames):
    X, Y = frames
    om.models.put(LogisticRegression(), "clf")
    result = om.runtime.model("clf").gridsearch("X", "Y", {"C": [0.01, 1.0, 100.0]}, cv=3).get()
    assert result["best_params"]["C"] in (0.01, 1.0, 100.0)
    assert [c["params"]["C"] for c in result["candidates"]] == [0.01, 1.0, 100.0]
    meta = om.models.metadata("clf")
    assert meta.attributes["gridsearch"]["best_params"] == result["best_params"]
    recorded = meta.attributes["gridsearch"]["candidates"]  # the scores a chart shows, in the grid's order
    assert [(c["params"], c["mean_test_score"]) for c in recorded] == \
        [(c["params"], c["mean_test_score"]) for c in result["candidates"]]
    assert meta.attributes["gridsearch"]["total_candidates"] == 3
    assert meta.attributes["fitted_on"] == {"X": "X", "Y": "Y"} and meta.kind_meta["fitted"] is True
    assert om.models.get("clf").C == result["best_params"]["C"]


@pytest.mark.parametrize("parameters,options,error", [
    ({}, {}, "parameters must be a non-empty dict"),
    ("C=1", {}, "parameters must be a non-empty dict"),
    ({"C": [1.0]}, {"verbose": 2}, "unknown options verbose"),
])
def test_gridsearch_refuses_bad_arguments_and_leaves_the_model_alone(om, frames, parameters, options, error):
    om.models.put(LogisticRegression(), "clf")
    rev = om.models.metadata("clf").rev
    with pytest.raises((ValueError, TypeError), match=error):
        om.runtime.model("clf").gridsearch("X", "Y", parameters, **options).get()
    assert om.models.metadata("clf").rev == rev


def test_gridsearch_of_a_model_that_is_not_scikit_learn_says_so(om, frames):
    om.models.put({"not": "a model"}, "notes")
    with pytest.raises(TypeError, match="gridsearch needs a scikit-learn model; 'notes' is of kind 'python.data'"):
        om.runtime.model("notes").gridsearch("X", "Y", {"C": [1.0]}).get()
