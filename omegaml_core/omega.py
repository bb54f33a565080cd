"""Omega: one context (storage + runtime configuration) seen through one bucket."""
from __future__ import annotations

import functools
from typing import Any

from .config import Config
from .discovery import Registry, registry
from .hooks import Hooks
from .names import validate_bucket
from .store import OmegaStore

DEFAULT_BUCKET = "omega"
PREFIXES = {"datasets": "data/", "models": "models/", "jobs": "jobs/", "scripts": "scripts/"}


class Omega:
    """The user's entry point: ``datasets``, ``models``, ``jobs``, ``scripts`` and ``runtime``.

    ``om['prod']`` is the same context in another bucket: same storage and
    runtime, separate names. ``om.setup(...)`` creates a separate context.
    Nothing connects until first use.
    """

    def __init__(self, config: Config | None = None, bucket: str = DEFAULT_BUCKET,
                 registry: Registry | None = None) -> None:
        self.config = config or Config.resolve()
        self.bucket = validate_bucket(bucket)
        self._registry = registry
        self.hooks = Hooks()
        self.registry_errors: list[str] = []
        self.datasets = OmegaStore(self, PREFIXES["datasets"], "datasets")
        self.models = OmegaStore(self, PREFIXES["models"], "models")
        self.jobs = OmegaStore(self, PREFIXES["jobs"], "jobs")
        self.scripts = OmegaStore(self, PREFIXES["scripts"], "scripts")

    @property
    def registry(self) -> Registry:
        return self._registry or registry()

    @functools.cached_property
    def engine(self) -> Any:
        from .engines import open_engine

        return open_engine(self.config.storage_url)

    @functools.cached_property
    def runtime(self) -> Any:
        """The runtime: ``om.runtime.model('clf').fit('X', 'Y')``."""
        from .runtime import OmegaRuntime

        return OmegaRuntime(self)

    def __getitem__(self, bucket: str) -> "Omega":
        return Omega(self.config, bucket, self._registry)

    def store(self, prefix: str) -> OmegaStore:
        """The store for a prefix such as ``'data/'``."""
        for store in (self.datasets, self.models, self.jobs, self.scripts):
            if store.prefix == prefix:
                return store
        raise ValueError(f"unknown prefix {prefix!r}; use one of {', '.join(PREFIXES.values())}")

    def buckets(self) -> list[str]:
        """The buckets of this storage that hold at least one object, sorted."""
        return self.engine.meta_buckets()

    def plugins(self) -> list[dict[str, Any]]:
        """Installed plugin distributions, what they provide, and their load errors."""
        report = self.registry.report()
        if self.registry_errors:
            from .discovery import REPORT_LABELS

            report.append({"distribution": "(runtime)", "version": "",
                           **{label: [] for label in REPORT_LABELS.values()}, "errors": list(self.registry_errors)})
        return report

    def __repr__(self) -> str:
        return f"Omega(bucket={self.bucket!r}, config={self.config!r})"


def setup(mongo_url: str | None = None, celeryconf: dict[str, Any] | None = None,
          bucket: str = DEFAULT_BUCKET, broker: str | None = None, context: str | None = None) -> Omega:
    """A new, fully separate context: its own storage and runtime configuration.

    Args:
        mongo_url: where objects are stored: ``mongodb://user:pw@host/db``,
            ``mongodb+srv://...`` or ``sqlite:///path/omega.db`` (the embedded
            engine). Default: ``OMEGA_MONGO_URL``, then ``mongo_url`` in the
            config file, then ``sqlite:///$OMEGA_HOME/omega.db``.
        celeryconf: Celery settings for the runtime, under Celery's own names,
            new (``broker_url``) or old (``BROKER_URL``, ``CELERY_RESULT_BACKEND``).
            ``broker_url`` makes the runtime send tasks to workers; without a
            broker they run in-process. ``result_backend`` defaults to the broker
            for Redis and ``rpc://`` for RabbitMQ. An unknown name, a value that
            is not JSON, or a setting omegaml fixes (serializers, late
            acknowledgement) is a ValueError naming it.
        bucket: the bucket to use (default ``omega``); ``om.setup(...)['other']``
            gives another bucket of the same context.
        broker: shorthand for ``celeryconf={'broker_url': broker}``.
        context: the name of a ``[contexts.<name>]`` table in the config file to use
            (default ``OMEGA_CONTEXT``); workers receive only this reference, never the URL.

    Example::

        om = omegaml_core.setup(mongo_url="mongodb://localhost/omega",
                                celeryconf={"BROKER_URL": "redis://localhost:6379/0"})
    """
    return Omega(Config.resolve(mongo_url=mongo_url, broker=broker, celeryconf=celeryconf, context=context), bucket)
