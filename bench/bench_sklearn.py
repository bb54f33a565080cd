"""omegaml-sklearn benchmarks: model put+get against joblib and MLflow, predict through a real worker.

MLflow runs in its own virtualenv (``bench/.venv-mlflow``, created on first
use with the same scikit-learn version), so it never shares an environment
with the project; it stores the model as a pickle, like our joblib default
(MLflow 3's default, skops, refuses tree models unless their types are
trusted). Set ``OMEGA_BENCH_MLFLOW=0`` to skip that comparison.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from _common import Ratio, best_of, faster, median_of, within

HERE = Path(__file__).resolve().parent
MLFLOW_VENV = HERE / ".venv-mlflow"
BROKER = os.environ.get("OMEGA_BENCH_BROKER", "redis://127.0.0.1:6379/13")
ROUNDS = int(os.environ.get("OMEGA_BENCH_ROUNDS", "100"))

MLFLOW_SCRIPT = textwrap.dedent('''
    import sys, time, joblib, mlflow, mlflow.sklearn, logging, warnings
    warnings.filterwarnings("ignore"); logging.getLogger("mlflow").setLevel(logging.ERROR)
    model = joblib.load(sys.argv[1])
    mlflow.set_tracking_uri(f"sqlite:///{sys.argv[2]}/mlflow.db")
    mlflow.set_experiment("bench")
    times = []
    for i in range(3):
        start = time.perf_counter()
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(model, name="rf", registered_model_name="rf", serialization_format="pickle")
        mlflow.sklearn.load_model(info.model_uri)
        times.append(time.perf_counter() - start)
    print(min(times))
''')


def random_forest():
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    X, y = make_classification(n_samples=5000, n_features=20, random_state=0)
    return RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1).fit(X, y)


def put_get_vs_joblib(model, tmp: str) -> tuple[Ratio, float]:
    import joblib

    import omegaml_core as om_module

    om = om_module.setup(mongo_url=f"sqlite:///{tmp}/omega.db")
    path = Path(tmp) / "rf.joblib"
    ours = best_of(lambda: (om.models.put(model, "rf"), om.models.get("rf")), repeat=5)
    baseline = best_of(lambda: (joblib.dump(model, path), joblib.load(path)), repeat=5)
    return Ratio("om.models put+get, 100-tree RandomForest vs joblib file", ours, baseline, "<= 1.5x",
                 within(ours, baseline, 1.5)), ours


def mlflow_python() -> Path | None:
    python = MLFLOW_VENV / "bin" / "python"
    if not python.exists():
        import sklearn

        print(f"   creating {MLFLOW_VENV} (mlflow, scikit-learn {sklearn.__version__}) once", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(MLFLOW_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "mlflow", f"scikit-learn=={sklearn.__version__}"],
                       check=True)
    return python


def vs_mlflow(model, ours: float, tmp: str) -> Ratio:
    import joblib

    python = mlflow_python()
    joblib.dump(model, Path(tmp) / "model.joblib")
    script = Path(tmp) / "mlflow_bench.py"
    script.write_text(MLFLOW_SCRIPT)
    out = subprocess.run([str(python), str(script), str(Path(tmp) / "model.joblib"), tmp],
                         capture_output=True, text=True, cwd=tmp)
    if out.returncode:
        raise RuntimeError(f"the MLflow baseline failed:\n{out.stderr[-3000:]}")
    baseline = float(out.stdout.strip().splitlines()[-1])
    return Ratio("same put+get vs mlflow log_model(registered)+load_model", ours, baseline, ">= 20x faster",
                 faster(ours, baseline, 20))


def predict_round_trip(tmp: str) -> Ratio:
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import omegaml_core as om_module
    from bench_runtime import bare_celery_round_trip
    from omegaml_core.runtime.testing import purge_queues, start_worker

    baseline = bare_celery_round_trip(tmp)
    env = {"OMEGA_BROKER": BROKER, "OMEGA_MONGO_URL": f"sqlite:///{tmp}/omega.db", "OMEGA_HOME": tmp}
    os.environ.update(env)
    purge_queues(BROKER)
    om_module.reset()
    om = om_module
    X = pd.DataFrame({"a": range(100), "b": [i % 7 for i in range(100)]}, dtype=float)
    om.datasets.put(X, "X")
    om.models.put(LogisticRegression().fit(X, X["b"] > 3), "clf")
    with start_worker(env, name="bench-sklearn", pool="solo", log_dir=Path(tmp)):
        model = om.runtime.model("clf")
        model.predict("X").get(timeout=60)  # warm: the worker loads and caches the model
        ours = median_of(lambda: model.predict("X").get(timeout=30), ROUNDS)
    return Ratio("runtime predict, 100 rows, Redis worker (median) vs bare Celery", ours, baseline, "<= 4x",
                 within(ours, baseline, 4))


def run() -> list[Ratio]:
    results = []
    model = random_forest()
    with tempfile.TemporaryDirectory() as tmp:
        ratio, ours = put_get_vs_joblib(model, tmp)
        results.append(ratio)
        if os.environ.get("OMEGA_BENCH_MLFLOW", "1") != "0":
            results.append(vs_mlflow(model, ours, tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results.append(predict_round_trip(tmp))
    return results
