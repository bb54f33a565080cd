"""Where configuration comes from: arguments, environment, then a config file.

Precedence for the storage URL: ``om.setup(mongo_url=...)``, then
``OMEGA_MONGO_URL``, then ``mongo_url`` in the config file, then the embedded
default ``sqlite:///$OMEGA_HOME/omega.db``. The config file is
``$OMEGA_CONFIG`` or ``$OMEGA_HOME/config.toml``; ``OMEGA_HOME`` defaults to
``~/.omegaml``. The broker works the same way with ``OMEGA_BROKER`` / ``broker``.
Other Celery settings come from ``om.setup(celeryconf={...})`` or the config
file's ``[celery]`` table, under Celery's own names (``broker_url`` or
``BROKER_URL``); an unknown name is a ValueError.
"""
from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigurationError


def omega_home() -> Path:
    """The folder for the embedded database and the config file."""
    return Path(os.environ.get("OMEGA_HOME") or Path.home() / ".omegaml").expanduser()


def config_file() -> Path:
    return Path(os.environ.get("OMEGA_CONFIG") or omega_home() / "config.toml").expanduser()


def read_config_file() -> dict[str, Any]:
    path = config_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc}. Fix or remove it.") from exc


def default_storage_url() -> str:
    return f"sqlite:///{omega_home() / 'omega.db'}"


_CREDENTIALS_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/]*):(?P<password>[^@/]*)@")


def redact_url(url: str | None) -> str | None:
    """``url`` with any password replaced by ``***``, safe to log or show."""
    if not url:
        return url
    return _CREDENTIALS_RE.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)


def _celery_settings(settings: Any, where: str) -> dict[str, Any]:
    if settings is None:
        return {}
    from .runtime.celeryconf import normalize

    try:
        return normalize(settings)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Config:
    """A context's configuration: everything a worker needs to rebuild it."""

    storage_url: str
    broker_url: str | None = None
    result_backend: str | None = None
    #: other Celery settings for this context's client app, as sorted JSON (never sent to workers)
    celery_settings: str = "{}"

    @classmethod
    def resolve(cls, mongo_url: str | None = None, broker: str | None = None,
                celeryconf: dict[str, Any] | None = None) -> "Config":
        """Resolve the configuration from arguments, environment and config file."""
        file_cfg = read_config_file()
        url = mongo_url or os.environ.get("OMEGA_MONGO_URL") or file_cfg.get("mongo_url") or default_storage_url()
        explicit = _celery_settings(celeryconf, "om.setup(celeryconf=...)")
        in_file = _celery_settings(file_cfg.get("celery"), f"the [celery] table of {config_file()}")
        explicit_broker, file_broker = explicit.pop("broker_url", None), in_file.pop("broker_url", None)
        explicit_backend, file_backend = explicit.pop("result_backend", None), in_file.pop("result_backend", None)
        broker_url = (broker or explicit_broker or os.environ.get("OMEGA_BROKER") or file_cfg.get("broker")
                      or file_broker)
        backend = (explicit_backend or os.environ.get("OMEGA_RESULT_BACKEND") or file_cfg.get("result_backend")
                   or file_backend)
        if not isinstance(url, str) or "://" not in url:
            raise ConfigurationError(
                f"storage URL {redact_url(str(url))!r} is not a URL; use mongodb://host/db or sqlite:///path"
            )
        return cls(storage_url=url, broker_url=broker_url or None, result_backend=backend or None,
                   celery_settings=json.dumps({**in_file, **explicit}, sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        return {"storage_url": self.storage_url, "broker_url": self.broker_url,
                "result_backend": self.result_backend}

    @property
    def celery(self) -> dict[str, Any]:
        """The extra Celery settings (Celery's current names) for this context's client app."""
        return json.loads(self.celery_settings)

    def __repr__(self) -> str:
        return (f"Config(storage_url={redact_url(self.storage_url)!r}, "
                f"broker_url={redact_url(self.broker_url)!r})")
