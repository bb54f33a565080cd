"""``Client``: the REST API from Python, for someone who has only a URL, a username and an API key.

    client = Client("https://omega.example.com", "alice", key, bucket="prod")
    client.datasets.put(df, "sales"); client.datasets.get("sales", amount__gt=100)
    client.models.predict("clf", df)                     # -> list
    task = client.models.predict("clf", df, wait=False)  # -> task id
    client.tasks.wait(task)

DataFrames travel as Arrow IPC streams. Errors raise ``ApiError`` with the
server's problem details.
"""
from __future__ import annotations

import json
import time
from typing import Any

ARROW = "application/vnd.apache.arrow.stream"


class ApiError(Exception):
    """An error response: ``status`` and the server's ``problem`` details."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status, self.problem = status, problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())


def _check(response: Any) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text[:500]}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})
    return response


class Client:
    """A session with an omegaml server; ``verify`` is passed to httpx (a CA bundle path, or False)."""

    def __init__(self, url: str, username: str, apikey: str, bucket: str | None = None,
                 verify: Any = True, timeout: float = 300) -> None:
        import httpx

        headers = {"Authorization": f"ApiKey {username}:{apikey}"}
        if bucket:
            headers["Bucket"] = bucket
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, verify=verify, timeout=timeout)
        self.datasets = Datasets(self)
        self.models = Models(self)
        self.tasks = Tasks(self)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return _check(self.http.request(method, path, **kwargs))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Datasets:
    def __init__(self, client: Client) -> None:
        self.client = client

    def list(self, pattern: str | None = None) -> list[str]:
        """Names of the bucket's datasets (all pages)."""
        names, offset = [], 0
        while True:
            params = {"offset": offset, "limit": 1000, **({"pattern": pattern} if pattern else {})}
            page = self.client.request("GET", "/api/v1/dataset/", params=params).json()
            names += [o["name"] for o in page["objects"]]
            offset += len(page["objects"])
            if not page["objects"] or offset >= page["meta"]["total"]:
                return names

    def get(self, name: str, columns: list[str] | None = None, **filters: Any) -> Any:
        """The dataset as a DataFrame (Arrow on the wire); ``amount__gt=100`` style filters are pushed down."""
        from .formats import decode

        params = {k: json.dumps(v) for k, v in filters.items()}
        if columns:
            params["columns"] = ",".join(columns)
        with self.client.http.stream("GET", f"/api/v1/dataset/{name}", params=params,
                                     headers={"Accept": ARROW}) as response:
            if response.status_code >= 400:
                response.read()
                _check(response)
            body = bytearray()  # collecting raw chunks is about twice as fast as response.content for large bodies
            for chunk in response.iter_bytes():
                body += chunk
            media = response.headers.get("content-type", "")
        if media.startswith(ARROW):
            return decode(bytes(body), ARROW)
        return json.loads(body)

    def put(self, frame: Any, name: str, append: bool = False) -> dict:
        """Store a DataFrame (replacing, or appending with ``append=True``); the stored object's summary."""
        from .formats import encode

        return self.client.request("PUT", f"/api/v1/dataset/{name}", content=encode(frame, ARROW),
                                   params={"append": str(append).lower()},
                                   headers={"Content-Type": ARROW}).json()

    def drop(self, name: str) -> None:
        self.client.request("DELETE", f"/api/v1/dataset/{name}")


class Models:
    def __init__(self, client: Client) -> None:
        self.client = client

    def list(self, pattern: str | None = None) -> list[str]:
        params = {"limit": 10_000, **({"pattern": pattern} if pattern else {})}
        return [o["name"] for o in self.client.request("GET", "/api/v1/model/", params=params).json()["objects"]]

    def metadata(self, name: str) -> dict:
        return self.client.request("GET", f"/api/v1/model/{name}").json()

    def call(self, name: str, method: str, X: Any = None, Y: Any = None, wait: bool = True, **params: Any) -> Any:
        """Run ``method`` of model ``name``: X/Y as DataFrames (sent as Arrow or JSON) or dataset names.

        Returns the result, or the task id when ``wait=False`` (see ``tasks.wait``).
        """
        from .formats import encode

        query = {k: v for k, v in params.items() if v is not None}
        kwargs: dict[str, Any] = {}
        if isinstance(X, str):
            query["datax"] = X
        if isinstance(Y, str):
            query["datay"] = Y
        if X is not None and not isinstance(X, str):
            if Y is not None and not isinstance(Y, str):
                kwargs["json"] = {"X": json.loads(X.to_json(orient="records")), "Y": json.loads(
                    Y.to_frame().to_json(orient="records") if hasattr(Y, "to_frame") else Y.to_json(orient="records"))}
            else:
                kwargs = {"content": encode(X, ARROW), "headers": {"Content-Type": ARROW}}
        if not wait:
            query["async"] = "true"
        response = self.client.request("POST", f"/api/v1/model/{name}/{method}", params=query, **kwargs)
        body = response.json()
        if response.status_code == 202:
            return body["task_id"]
        return body["result"]

    def predict(self, name: str, X: Any, **kwargs: Any) -> Any:
        return self.call(name, "predict", X, **kwargs)

    def predict_proba(self, name: str, X: Any, **kwargs: Any) -> Any:
        return self.call(name, "predict_proba", X, **kwargs)

    def fit(self, name: str, X: Any, Y: Any, **kwargs: Any) -> Any:
        return self.call(name, "fit", X, Y, **kwargs)

    def score(self, name: str, X: Any, Y: Any, **kwargs: Any) -> Any:
        return self.call(name, "score", X, Y, **kwargs)


class Tasks:
    def __init__(self, client: Client) -> None:
        self.client = client

    def status(self, task_id: str) -> dict:
        """``{"status": "PENDING"}`` while the task runs, else its result (``ApiError`` if it failed)."""
        return self.client.request("GET", f"/api/v1/task/{task_id}/result").json()

    def wait(self, task_id: str, timeout: float = 300, interval: float = 0.1) -> Any:
        """The result of an asynchronous call once it is done; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.status(task_id)
            if body.get("status") != "PENDING":
                response = body.get("response")
                return response.get("result", response) if isinstance(response, dict) else response
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} did not finish within {timeout} s")
            time.sleep(interval)
            interval = min(interval * 1.5, 2.0)
