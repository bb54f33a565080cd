"""Which contexts a worker serves, and how a task message refers to one.

A message never carries a storage URL or credentials, only a *reference*: the
context's name when it has one (``[contexts.<name>]``, ``OMEGA_CONTEXT``), else
``url:`` and a SHA-256 fingerprint of the storage URL with its password and
secret-looking options removed. Nothing secret goes into the fingerprint, so it
gives an eavesdropper nothing to guess offline; it is a reference, not a
credential (signed messages are what authenticate a caller).

The worker resolves a reference against its own list, read once from its own
configuration: ``OMEGA_WORKER_CONTEXTS=prod,staging`` (names of ``[contexts.*]``
tables in its config file, ``*`` for all of them), or, without that list, the
one context ``Config.resolve()`` gives. A reference it does not serve raises
:class:`ContextNotServed` before anything is opened.
"""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from ..config import Config, config_file, context_tables, is_secret_option, redact_url
from ..errors import ConfigurationError, ContextNotServed

WORKER_CONTEXTS_ENV = "OMEGA_WORKER_CONTEXTS"
FINGERPRINT_PREFIX = "url:"


def public_url(url: str) -> str:
    """``url`` without its password and without query options that look secret (safe to hash or show)."""
    base, sep, query = redact_url(url).partition("?")
    if not sep:
        return base
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_secret_option(k)]
    return base + ("?" + urlencode(kept) if kept else "")


@functools.lru_cache(maxsize=256)
def fingerprint(url: str) -> str:
    """``url:<hex>``: a reference to the store at ``url`` that holds no secret."""
    return FINGERPRINT_PREFIX + hashlib.sha256(public_url(url).encode()).hexdigest()[:32]


def reference(config: Config) -> str:
    """What a message carries to name ``config``: its name, else its URL's fingerprint."""
    return config.name or fingerprint(config.storage_url)


@dataclass(frozen=True)
class ServedContexts:
    """The contexts one worker (or the in-process runtime) serves, by reference."""

    configs: tuple[Config, ...]

    def resolve(self, ref: object, where: str) -> Config:
        """The served config for ``ref``; ContextNotServed (naming ``where``) if there is none."""
        if isinstance(ref, str):
            for config in self.configs:
                if ref == config.name or ref == fingerprint(config.storage_url):
                    return config
        raise ContextNotServed(f"{where} does not serve context {ref!r}; to serve it, add a "
                               f"[contexts.<name>] table to the worker's config file and list it in "
                               f"{WORKER_CONTEXTS_ENV}")

    def describe(self) -> list[str]:
        """One line per context: its reference and its storage URL without the password."""
        return [f"{config.name or reference(config)}: {redact_url(config.storage_url)}" for config in self.configs]


def load_worker_contexts() -> ServedContexts:
    """The contexts this worker serves, from its own environment and config file."""
    listed = [n.strip() for n in os.environ.get(WORKER_CONTEXTS_ENV, "").split(",") if n.strip()]
    if not listed:
        return ServedContexts((Config.resolve(),))
    tables = context_tables()
    names = sorted(tables) if listed == ["*"] else listed
    unknown = [n for n in names if n not in tables]
    if unknown or not names:
        raise ConfigurationError(f"{WORKER_CONTEXTS_ENV} names {', '.join(unknown) or 'no context'}, but "
                                 f"{config_file()} defines only: {', '.join(sorted(tables)) or 'none'}; add "
                                 "[contexts.<name>] tables with mongo_url = '...'")
    return ServedContexts(tuple(Config.resolve(context=n) for n in names))


_worker_contexts: ServedContexts | None = None


def worker_contexts() -> ServedContexts:
    """This worker process's served contexts, read on first use (``om worker`` reads them at start-up)."""
    global _worker_contexts
    if _worker_contexts is None:
        _worker_contexts = load_worker_contexts()
    return _worker_contexts
