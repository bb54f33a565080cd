"""Where configuration comes from: arguments, environment, then a config file.

Precedence for the storage URL: ``om.setup(mongo_url=...)``, then
``OMEGA_MONGO_URL``, then ``mongo_url`` in the config file, then the embedded
default ``sqlite:///$OMEGA_HOME/omega.db``. The config file is
``$OMEGA_CONFIG`` or ``$OMEGA_HOME/config.toml``; ``OMEGA_HOME`` defaults to
``~/.omegaml``. The broker works the same way with ``OMEGA_BROKER`` / ``broker``.

Named contexts live in the config file as ``[contexts.<name>]`` tables (``mongo_url``,
``broker``, ``result_backend``); ``OMEGA_CONTEXT`` (or ``context = "name"`` at the
top of the file, or ``om.setup(context=...)``) selects one, and its table's values
then come right after the arguments, before the environment. Workers serve the
contexts listed in ``OMEGA_WORKER_CONTEXTS`` (see ``runtime/contexts.py``).

Boolean settings accept only ``1/0/true/false/yes/no/on/off`` (any case); anything
else is a :class:`ConfigurationError` naming the variable (:func:`env_flag`).
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


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
#: the kernel's and plugins' boolean settings, checked together when a configuration is resolved
BOOLEAN_SETTINGS = ("OMEGA_REFUSE_PICKLES", "OMEGA_DEBUG")


def parse_flag(value: Any, name: str) -> bool:
    """``value`` as a bool; only 1/0/true/false/yes/no/on/off (any case), else a ConfigurationError naming ``name``."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a boolean setting; use one of "
                             "1/0, true/false, yes/no, on/off")


def env_flag(name: str, default: bool = False) -> bool:
    """The boolean environment setting ``name``: ``default`` when unset or empty, else :func:`parse_flag`."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return parse_flag(raw, name)


def check_flags(names: tuple[str, ...] = BOOLEAN_SETTINGS) -> None:
    """Fail at start-up, naming the variable, if any boolean setting has a value that is not a boolean."""
    for name in names:
        env_flag(name)


def context_tables(file_cfg: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The config file's ``[contexts.<name>]`` tables by name."""
    file_cfg = read_config_file() if file_cfg is None else file_cfg
    tables = file_cfg.get("contexts") or {}
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigurationError(f"[contexts] in {config_file()} must hold tables such as "
                                 "[contexts.prod] with mongo_url = '...'")
    return tables


def default_storage_url() -> str:
    return f"sqlite:///{omega_home() / 'omega.db'}"


_CREDENTIALS_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/]*):(?P<password>[^@/]*)@")


def redact_url(url: str | None) -> str | None:
    """``url`` with any password replaced by ``***``, safe to log or show."""
    if not url:
        return url
    return _CREDENTIALS_RE.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)


_SECRET_OPTION_RE = re.compile(r"pass|pwd|secret|token|api_?key|credential|private_?key", re.IGNORECASE)


def is_secret_option(name: str) -> bool:
    """True for URL query options that look like they hold a secret (``password``, ``sslpassword``, ``token``...)."""
    return bool(_SECRET_OPTION_RE.search(name))


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
    """A context's configuration: storage and runtime. It stays in this process: task messages
    carry only a reference to it (see ``runtime/contexts.py``)."""

    storage_url: str
    broker_url: str | None = None
    result_backend: str | None = None
    #: the context's name (``[contexts.<name>]``, ``OMEGA_CONTEXT``); None for an unnamed context
    name: str | None = None
    #: other Celery settings for this context's client app, as sorted JSON (never sent to workers)
    celery_settings: str = "{}"

    @classmethod
    def resolve(cls, mongo_url: str | None = None, broker: str | None = None,
                celeryconf: dict[str, Any] | None = None, context: str | None = None) -> "Config":
        """Resolve the configuration from arguments, environment and config file.

        ``context`` (or ``OMEGA_CONTEXT``, or ``context`` in the file) names a
        ``[contexts.<name>]`` table; its values come after the arguments and before the environment.
        """
        check_flags()
        file_cfg = read_config_file()
        name = context or os.environ.get("OMEGA_CONTEXT") or file_cfg.get("context") or None
        table: dict[str, Any] = {}
        if name:
            tables = context_tables(file_cfg)
            if name not in tables:
                raise ConfigurationError(f"context {name!r} is not defined in {config_file()}; add a "
                                         f"[contexts.{name}] table with mongo_url = '...' (defined: "
                                         f"{', '.join(sorted(tables)) or 'none'})")
            table = tables[name]
        url = (mongo_url or table.get("mongo_url") or os.environ.get("OMEGA_MONGO_URL") or file_cfg.get("mongo_url")
               or default_storage_url())
        explicit = _celery_settings(celeryconf, "om.setup(celeryconf=...)")
        in_file = _celery_settings(file_cfg.get("celery"), f"the [celery] table of {config_file()}")
        explicit_broker, file_broker = explicit.pop("broker_url", None), in_file.pop("broker_url", None)
        explicit_backend, file_backend = explicit.pop("result_backend", None), in_file.pop("result_backend", None)
        broker_url = (broker or explicit_broker or table.get("broker") or os.environ.get("OMEGA_BROKER")
                      or file_cfg.get("broker") or file_broker)
        backend = (explicit_backend or table.get("result_backend") or os.environ.get("OMEGA_RESULT_BACKEND")
                   or file_cfg.get("result_backend") or file_backend)
        if not isinstance(url, str) or "://" not in url:
            raise ConfigurationError(
                f"storage URL {redact_url(str(url))!r} is not a URL; use mongodb://host/db or sqlite:///path"
            )
        from .tls import warn_insecure

        for what, value in (("storage", url), ("broker", broker_url), ("result backend", backend)):
            warn_insecure(value, what)
        return cls(storage_url=url, broker_url=broker_url or None, result_backend=backend or None, name=name,
                   celery_settings=json.dumps({**in_file, **explicit}, sort_keys=True))

    def to_environ(self) -> dict[str, str]:
        """The environment variables that make ``Config.resolve()`` in a child process give this configuration.

        For subprocesses that need the caller's context (a notebook kernel, a script's
        interpreter): pass them in the child's environment, never in its arguments or files.
        """
        pairs = (("OMEGA_MONGO_URL", self.storage_url), ("OMEGA_BROKER", self.broker_url),
                 ("OMEGA_RESULT_BACKEND", self.result_backend), ("OMEGA_CONTEXT", self.name))
        return {key: value or "" for key, value in pairs}

    @property
    def celery(self) -> dict[str, Any]:
        """The extra Celery settings (Celery's current names) for this context's client app."""
        return json.loads(self.celery_settings)

    def __repr__(self) -> str:
        named = f"name={self.name!r}, " if self.name else ""
        return (f"Config({named}storage_url={redact_url(self.storage_url)!r}, "
                f"broker_url={redact_url(self.broker_url)!r})")
