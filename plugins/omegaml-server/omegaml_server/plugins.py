"""The contract for ``omegaml.api`` route plugins: ``ApiContext``.

An ``omegaml.api`` entry point's value is a function ``routes(api) -> fastapi.APIRouter``,
called once at start-up; the router is mounted under ``/api/v1``. ``api`` is an
``ApiContext``:

- ``Depends(api.omega("run"))`` authenticates the request (``Authorization:
  ApiKey user:key``, optional ``Bucket:`` header), checks the user's grant for
  the role (read < write < run < admin) on that bucket and the access rules,
  and gives the route the ``Omega`` of that bucket (401/403 problem details otherwise);
- ``raise api.problem(404, "Not Found", "job x does not exist; ...")`` answers
  with problem details;
- ``await api.run_async(fn, *args, **kwargs)`` runs a blocking call in a worker thread;
- ``api.task_response(result, request)`` answers ``?async=1`` calls: 202 with
  ``Location: /api/v1/task/{id}/result`` for a runtime result (``.id`` and ``.get()``),
  else 200 with the value.

Route modules import FastAPI only inside ``routes()``.
"""

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable

from .accounts.roles import check_role, includes
from .problems import Problem, problem_for
from .rules import allowed, compile_rules, target_of
from .settings import Settings
from .tasks import TaskRegistry

log = logging.getLogger("omegaml_server.auth")
DEFAULT_BUCKET = "omega"
MAX_CACHED_BUCKETS = 1024
AUTH_SCHEME = "apikey"
CHALLENGE = {"WWW-Authenticate": 'ApiKey realm="omegaml"'}


def _client(request: Any) -> str:
    return request.client.host if request is not None and request.client else "?"


INVALID_KEY = ("the API key is not valid for this user (unknown, revoked or expired key, or disabled user); "
               "create a new one with `om keys create <username>`")


class ApiContext:
    """What routes get from the server: authentication, problems, threads and task responses."""

    def __init__(self, accounts: Any, settings: Settings | None = None, omega: Any = None) -> None:
        import omegaml_core as om

        self.accounts = accounts
        self.settings = settings or Settings()
        self.base = omega or om.defaults()
        self.rules = compile_rules(self.settings.rules)
        self.tasks = TaskRegistry()
        from .accounts.task_owners import TaskOwners

        self.task_owners = TaskOwners(accounts)
        self._omegas: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    # --- the contract ---------------------------------------------------------
    def omega(self, role: str) -> Callable[..., Any]:
        """A FastAPI dependency: the request's ``Omega`` if its key has ``role`` on its bucket, else 401/403."""
        from fastapi import Request

        check_role(role)

        async def authorized_omega(request: Request) -> Any:
            return await self.run_async(self.authorize, request, role)

        return authorized_omega

    def problem(self, status: int, title: str, detail: str) -> Exception:
        """An exception that answers with RFC 9457 problem details."""
        return Problem(status, title, detail)

    async def run_async(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker thread, so the event loop never blocks."""
        from anyio import to_thread

        return await to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    def task_response(self, result: Any, request: Any) -> Any:
        """202 + ``Location`` for a runtime result with an ``id`` (kept for ``/task/{id}/result``), else 200
        with the value (a finished result without an id, such as a local runtime's, gives its ``.get()``)."""
        from fastapi.responses import JSONResponse

        if hasattr(result, "id") and hasattr(result, "get"):
            principal = getattr(request.state, "principal", None)
            username, bucket = principal.username if principal else "", getattr(request.state, "bucket", "")
            task_id = self.keep_task(result, username, bucket, f"{request.method} {request.url.path}")
            location = f"/api/v1/task/{task_id}/result"
            return JSONResponse({"task_id": task_id, "status": "PENDING", "location": location}, status_code=202,
                                headers={"Location": location})
        if callable(getattr(result, "get", None)) and not isinstance(result, Mapping):
            # a result that already finished in-process (a local runtime's LocalResult): its value
            try:
                result = result.get()
            except Exception as exc:
                raise problem_for(exc) from None
        return JSONResponse(jsonable(result))

    def keep_task(self, result: Any, username: str, bucket: str, what: str = "") -> str:
        """Keep a runtime result for ``/task/{id}/result``, readable only by ``username`` on ``bucket``; its id."""
        task_id = self.tasks.add(result, username, bucket, what)
        self.task_owners.record(task_id, username, bucket)
        return task_id

    def principal(self, request: Any) -> Any:
        """The authenticated caller (``Principal``), whatever the bucket; 401 otherwise (blocking: call in a thread).

        For routes that are not about one bucket (omegaml-ops' user resources, say).
        """
        username, secret = self.credentials(request.headers.get("authorization"), request)
        principal = self.accounts.verify_key(username, secret)
        if principal is None:
            log.warning("authentication failed for user %r from %s", username[:64], _client(request))
            raise Problem(401, detail=INVALID_KEY, headers=CHALLENGE)
        request.state.principal = principal
        return principal

    # --- used by the server's own routes ---------------------------------------
    def authorize(self, request: Any, role: str) -> Any:
        """Authenticate, check the bucket grant and the rules; the Omega of the bucket (blocking: call in a thread)."""
        username, secret = self.credentials(request.headers.get("authorization"), request)
        bucket = request.headers.get("bucket") or DEFAULT_BUCKET
        principal, granted = self.accounts.authorize(username, secret, bucket, self.settings.context)
        if principal is None:
            log.warning("authentication failed for user %r from %s", username[:64], _client(request))
            raise Problem(401, detail=INVALID_KEY, headers=CHALLENGE)
        request.state.principal, request.state.bucket = principal, bucket
        omega = self.omega_for(bucket)
        if granted is None or not includes(granted, role):
            # the same answer whether or not the object exists
            raise Problem(403, detail=f"user {principal.username!r} may not do this in bucket {bucket!r} "
                                      f"(needs role {role!r}, has {granted or 'none'}); ask an admin for a grant "
                                      f"(om grants add {principal.username} {bucket} {role})")
        target = target_of(request.url.path)
        if not allowed(target, self.rules, self._key_rules(principal.rules)):
            raise Problem(403, detail=f"{target!r} is not exposed by this "
                                      f"{'server' if not allowed(target, self.rules) else 'API key'}'s rules")
        return omega

    def credentials(self, header: str | None, request: Any = None) -> tuple[str, str]:
        """``(username, key)`` from an ``Authorization: ApiKey user:key`` header; 401 if it is missing or malformed."""
        if not header:
            raise Problem(401, detail="no API key given; send the header 'Authorization: ApiKey <username>:<apikey>' "
                                      "(create a key with `om keys create <username>`)", headers=CHALLENGE)
        scheme, _, credentials = header.partition(" ")
        username, sep, secret = credentials.strip().partition(":")
        if scheme.lower() != AUTH_SCHEME or not sep or not username or not secret:
            log.warning("authentication failed: malformed Authorization header from %s", _client(request))
            raise Problem(401, detail="the Authorization header must be 'ApiKey <username>:<apikey>'",
                          headers=CHALLENGE)
        return username, secret

    @functools.lru_cache(maxsize=1024)
    def _key_rules(self, rules: tuple[str, ...] | None) -> Any:
        return compile_rules(rules)

    def omega_for(self, bucket: str) -> Any:
        """The Omega of ``bucket`` (cached); 400 for an invalid bucket name."""
        from omegaml_core.names import validate_bucket

        with self._lock:
            omega = self._omegas.get(bucket)
            if omega is not None:
                self._omegas.move_to_end(bucket)
                return omega
        try:
            validate_bucket(bucket)
        except ValueError as exc:
            raise Problem(400, detail=f"Bucket header: {exc}") from None
        omega = self.base if bucket == self.base.bucket else self.base[bucket]
        with self._lock:
            self._omegas[bucket] = omega
            while len(self._omegas) > MAX_CACHED_BUCKETS:
                self._omegas.popitem(last=False)
        return omega

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(...)`` with the Python API's errors turned into problems (for use inside ``run_async``)."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise problem_for(exc) from None


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a result (numpy arrays, frames, Metadata, dates)."""
    from omegaml_core.runtime.payloads import plain

    value = plain(value)
    return _finite(value)


def _finite(value: Any) -> Any:
    # JSON has no NaN or Infinity: they become null
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def include_plugin_routers(app: Any, extensions: list[tuple[str, Callable[[Any], Any]]], context: Any, prefix: str,
                           what: str) -> None:
    """Mount each plugin's router (``make(context)``) under ``prefix``; one that fails is logged and left out."""
    for name, make in extensions:
        try:
            app.include_router(make(context), prefix=prefix)
        except Exception:
            logging.getLogger("omegaml_server").exception("%s of plugin %r failed to load; the server runs without "
                                                          "them", what, name)
