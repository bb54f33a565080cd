"""omegaml-server benchmarks: predict latency and throughput against `mlflow models serve`, dataset transfer formats.

Both servers run one worker on 127.0.0.1 and serve the same scikit-learn model
(LogisticRegression, 4 features); requests are the same JSON rows, sent by a
raw-socket load generator (``_loadgen.py``) so the client adds little. MLflow
runs in its own virtualenv (``bench/.venv-mlflow``, see bench_sklearn.py).
Set ``OMEGA_BENCH_SECONDS`` to change the 20 s throughput window.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import Ratio, best_of, within
from _loadgen import paired_latencies, percentile, request_bytes, throughput

HERE = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("OMEGA_BENCH_SECONDS", "20"))
COUNTS = {1: 2000, 100: 1000}
SAVE_MODEL = textwrap.dedent('''
    import sys, joblib, mlflow.sklearn, warnings
    warnings.filterwarnings("ignore")
    mlflow.sklearn.save_model(joblib.load(sys.argv[1]), sys.argv[2], serialization_format="pickle")
''')


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_mlflow(model, tmp: Path):
    import joblib

    from bench_sklearn import mlflow_python

    python = mlflow_python()
    joblib.dump(model, tmp / "model.joblib")
    (tmp / "save.py").write_text(SAVE_MODEL)
    subprocess.run([str(python), str(tmp / "save.py"), str(tmp / "model.joblib"), str(tmp / "mlflow-model")],
                   check=True, capture_output=True)
    from omegaml_core.testing.servers import free_port

    port = free_port()
    log = open(tmp / "mlflow.log", "wb")
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen([str(python.with_name("mlflow")), "models", "serve", "-m", str(tmp / "mlflow-model"),
                             "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/ping", proc)
    except RuntimeError:
        raise RuntimeError(f"mlflow models serve failed:\n{(tmp / 'mlflow.log').read_text()[-3000:]}") from None
    return proc, port


def start_ours(model, frame, tmp: Path):
    import omegaml_core as om
    from omegaml_server.accounts import Accounts
    from omegaml_server.testing import ServerProcess

    accounts = Accounts(f"sqlite:///{tmp / 'accounts.db'}")
    accounts.create_user("bench")
    accounts.grant("bench", "omega", "admin")
    key = accounts.create_key("bench").secret
    accounts.close()
    omega = om.setup(mongo_url=f"sqlite:///{tmp / 'omega.db'}")
    omega.models.put(model, "clf")
    omega.datasets.put(frame, "big")
    env = {k: v for k, v in os.environ.items() if k != "OMEGA_BROKER"}
    env.update(OMEGA_HOME=str(tmp), OMEGA_MONGO_URL=f"sqlite:///{tmp / 'omega.db'}",
               OMEGA_ACCOUNTS_URL=f"sqlite:///{tmp / 'accounts.db'}")
    server = ServerProcess(env, ["--workers", "1", "--log-level", "warning", "--max-body", "1G"],
                           log_path=tmp / "server.log").start()
    return server, {"Authorization": f"ApiKey bench:{key}"}


def predict_ratios(model, X, tmp: Path) -> list[Ratio]:
    server, auth = start_ours(model, X.head(10), tmp)
    mlflow = None
    results = []
    try:
        mlflow, mlflow_port = start_mlflow(model, tmp)
        requests = {}
        for rows in COUNTS:
            records = X.head(rows).to_dict(orient="records")
            requests[rows] = (
                request_bytes("POST", "/api/v1/model/clf/predict", json.dumps(records).encode(),
                              {**auth, "Content-Type": "application/json"}, server.port),
                request_bytes("POST", "/invocations", json.dumps({"dataframe_records": records}).encode(),
                              {"Content-Type": "application/json"}, mlflow_port))
        for rows, count in COUNTS.items():
            ours_request, theirs_request = requests[rows]
            ours, theirs = paired_latencies((server.port, ours_request), (mlflow_port, theirs_request), count)
            p50, p50_base = percentile(ours, 50), percentile(theirs, 50)
            results.append(Ratio(f"predict {rows} row{'s' if rows > 1 else ''} p50 vs mlflow models serve", p50,
                                 p50_base, "<= 0.8x", within(p50, p50_base, 0.8)))
            results.append(Ratio(f"predict {rows} row{'s' if rows > 1 else ''} p99 vs mlflow models serve",
                                 percentile(ours, 99), percentile(theirs, 99), "report", True))
        ours_rps = theirs_rps = 0.0
        for _ in range(2):  # alternate halves, so that load from elsewhere hits both alike
            ours_rps += throughput(server.port, requests[1][0], 16, SECONDS / 2) / 2
            theirs_rps += throughput(mlflow_port, requests[1][1], 16, SECONDS / 2) / 2
        results.append(Ratio(f"predict 1 row, 16 clients x {SECONDS:.0f} s, requests/s vs mlflow", ours_rps,
                             theirs_rps, ">= 1.5x", ours_rps >= 1.5 * theirs_rps, unit="/s"))
    finally:
        server.stop()
        if mlflow is not None:
            mlflow.terminate()
            mlflow.wait(10)
    return results


def dataset_ratios(tmp: Path) -> list[Ratio]:
    """Dataset get over HTTP with the standard library's client (httpx's own reading of an 8 MB body
    took ~90 ms more here, which would measure the client rather than the server)."""
    import http.client

    import numpy as np
    import pandas as pd

    from omegaml_server.formats import ARROW, decode

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.normal(size=100_000) if i % 2 else rng.integers(0, 1000, 100_000)
                          for i in range(10)})
    server, auth = start_ours(_small_model()[0], frame, tmp)
    path = tmp / "local.parquet"
    frame.to_parquet(path)

    def download(accept: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        try:
            connection.request("GET", "/api/v1/dataset/big", headers={**auth, "Accept": accept})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"status {response.status}: {body[:300]!r}")
            return body
        finally:
            connection.close()

    try:
        arrow = lambda: decode(download(ARROW), ARROW)  # noqa: E731
        records = lambda: pd.DataFrame.from_records(json.loads(download("application/json")))  # noqa: E731
        arrow()  # warm
        ours_arrow = best_of(arrow, repeat=5)
        ours_json = best_of(records, repeat=3)
        local = best_of(lambda: pd.read_parquet(path), repeat=5)
    finally:
        server.stop()
    return [Ratio("dataset get 100k x 10 over HTTP, Arrow vs local read_parquet", ours_arrow, local, "<= 2x",
                  within(ours_arrow, local, 2)),
            Ratio("dataset get 100k x 10 over HTTP, JSON records vs Arrow", ours_json, ours_arrow, "report", True)]


def _small_model():
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(1000, 4)), columns=list("abcd"))
    return LogisticRegression().fit(X, X["a"] > 0), X


def run() -> list[Ratio]:
    model, X = _small_model()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += predict_ratios(model, X, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        results += dataset_ratios(Path(tmp))
    return results


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for ratio in run():
        print(ratio.line())
