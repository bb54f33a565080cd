"""``om doctor``: what the current configuration protects and what it does not, one line each.

Lines come from the kernel (TLS per connection, message signing, store key,
pickles, the worker's context list) and from plugins through the
``omega_doctor`` hook (e.g. a REST server reports whether its API needs a key).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .config import Config, env_flag, redact_url
from .errors import ConfigurationError

STORE_KEY_ENV = "OMEGA_STORE_KEY"


@dataclass(frozen=True)
class Check:
    """One line of ``om doctor``: ``protected`` is True, False (unprotected) or None (does not apply)."""

    topic: str
    protected: bool | None
    detail: str

    def line(self) -> str:
        status = {True: "ok", False: "UNPROTECTED", None: "-"}[self.protected]
        return f"{status:<12} {self.topic:<22} {self.detail}"


def _connection(topic: str, url: str | None, absent: str) -> Check:
    from .tls import tls_status

    if not url:
        return Check(topic, None, absent)
    protected, detail = tls_status(url)
    return Check(topic, protected, f"{redact_url(url)}: {detail}")


def _guarded(topic: str, fn: Any) -> Check:
    """``fn()``'s check, or an unprotected line saying what is misconfigured."""
    try:
        return fn()
    except ConfigurationError as exc:
        return Check(topic, False, f"misconfigured: {exc}")


def _signing(config: Config) -> Check:
    from .runtime.signing import signing_config, trust_store

    signing = signing_config()
    if signing is None:
        if not config.broker_url:
            return Check("message signing", None, "no broker: tasks run in this process")
        return Check("message signing", False, "off: anyone who can publish to the broker can run tasks "
                                               "(set OMEGA_SIGNING_KEY/CERT/CA; om signing init DIR)")
    trust_store(signing)  # the certificate must be issued by the CA
    return Check("message signing", True, f"on: signed by {signing.cert}, trusting the CA in {signing.ca}")


def _store_key() -> Check:
    if os.environ.get(STORE_KEY_ENV):
        return Check("store key", True, f"{STORE_KEY_ENV} is set: only objects signed with it are read")
    return Check("store key", False, f"{STORE_KEY_ENV} not set: whoever can write to the database can plant objects")


def _pickles() -> Check:
    if env_flag("OMEGA_REFUSE_PICKLES"):
        return Check("pickles", True, "refused (OMEGA_REFUSE_PICKLES)")
    return Check("pickles", False, "allowed: a planted pickle runs code in the reader (set OMEGA_REFUSE_PICKLES=1 "
                                   "or OMEGA_STORE_KEY)")


def _worker_contexts() -> Check:
    from .runtime.contexts import WORKER_CONTEXTS_ENV, load_worker_contexts

    served = load_worker_contexts()
    source = WORKER_CONTEXTS_ENV if os.environ.get(WORKER_CONTEXTS_ENV) else "its own configuration"
    return Check("worker contexts", True, f"a worker here serves ({source}): {'; '.join(served.describe())}")


def checks(config: Config | None = None, hooks: Any = None) -> list[Check]:
    """Every line of ``om doctor`` for ``config`` (default: the resolved configuration)."""
    from .hooks import Hooks
    from .runtime.celeryapp import result_backend_for

    config = config or Config.resolve()
    lines = [
        _connection("storage TLS", config.storage_url, "not configured"),
        _connection("broker TLS", config.broker_url, "no broker: tasks run in this process"),
    ]
    if config.broker_url:
        backend = result_backend_for(config)
        lines.append(Check("result backend TLS", None, "rpc://: results travel over the broker connection")
                     if backend.startswith("rpc") else _connection("result backend TLS", backend, ""))
    lines += [_guarded("message signing", lambda: _signing(config)), _store_key(),
              _guarded("pickles", _pickles), _guarded("worker contexts", _worker_contexts)]
    for topic, protected, detail in (hooks or Hooks()).doctor(config):
        lines.append(Check(topic, protected, detail))
    return lines


def unprotected(lines: list[Check]) -> list[Check]:
    return [c for c in lines if c.protected is False]
