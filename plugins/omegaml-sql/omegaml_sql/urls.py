"""Connection URL templates: placeholders, inline passwords, secrets.

A stored URL is a *template*: ``postgresql+psycopg://{user}:{password}@host/db``.
Placeholders may stand for the user, password, host, database or query values
(not the port). The template never holds a password; at get time each
placeholder is filled from, in this order:

1. ``secrets={'password': ...}`` passed to get (or put with ``copy=True``);
2. the environment variable ``OMEGA_SQL_<NAME>_<PLACEHOLDER>``, where ``<NAME>``
   is the dataset name upper-cased with every character other than a letter or
   digit replaced by ``_`` (``sales/eu`` -> ``OMEGA_SQL_SALES_EU_PASSWORD``);
3. the environment variable ``OMEGA_SQL_<PLACEHOLDER>`` (a default for all).

Values are put into the URL's components (``URL.create``), never formatted
into the URL text, so a password may contain ``@``, ``/`` or ``:``.
SQLAlchemy is imported only by functions that need it.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote, quote_plus

from omegaml_core.config import is_secret_option

from .errors import MissingSecretError, SQLDatasetError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
#: Query-string keys that carry a password for some drivers.
PASSWORD_QUERY_KEYS = ("password", "passwd", "pwd")
_SECRET_NAME = re.compile(r"pass|pwd|secret|token|key|auth", re.IGNORECASE)


def looks_like_url(text: str) -> bool:
    """True if ``text`` starts like ``scheme://`` (cheap; imports nothing)."""
    return bool(_URL_LIKE.match(text))


def env_names(name: str, placeholder: str) -> list[str]:
    """The environment variables consulted for ``placeholder`` of dataset ``name``, in order."""
    dataset = re.sub(r"[^A-Za-z0-9]", "_", name).upper()
    var = placeholder.upper()
    return [f"OMEGA_SQL_{dataset}_{var}", f"OMEGA_SQL_{var}"]


def _token(i: int) -> str:
    # letters and digits only, so the token survives URL parsing in any component
    return f"zzomegaph{i}zz"


@dataclass
class Template:
    """A parsed URL template: a SQLAlchemy URL with tokens where the placeholders were."""

    url: Any
    tokens: dict[str, str] = field(default_factory=dict)  # token -> placeholder name

    @property
    def placeholders(self) -> list[str]:
        return list(dict.fromkeys(self.tokens.values()))

    def render(self) -> str:
        """The template as text, placeholders restored (for storing and for messages)."""
        text = self.url.render_as_string(hide_password=False)
        for token, var in self.tokens.items():
            text = text.replace(token, "{" + var + "}")
        return text


def parse(template: str) -> Template:
    """Parse a URL template; ValueError (that never repeats the URL) if it is not a URL."""
    from sqlalchemy.engine import make_url

    tokens: dict[str, str] = {}
    by_name: dict[str, str] = {}

    def swap(match: re.Match) -> str:
        var = match.group(1)
        if var not in by_name:
            by_name[var] = _token(len(by_name))
            tokens[by_name[var]] = var
        return by_name[var]

    try:
        url = make_url(PLACEHOLDER.sub(swap, template))
    except Exception:
        # SQLAlchemy's message repeats the whole string, password included
        raise ValueError("not a valid SQLAlchemy URL (dialect+driver://user:password@host:port/database); "
                         "placeholders are allowed in the user, password, host, database and query values, "
                         "not in the port") from None
    return Template(url, tokens)


@functools.lru_cache(maxsize=64)
def _dialect_known(drivername: str) -> bool:
    from sqlalchemy.engine import URL

    backend = drivername.split("+", 1)[0]
    try:
        URL.create(backend).get_dialect()
    except Exception:
        return False
    return True


def knows_dialect(text: str) -> bool:
    """True if ``text`` is a URL whose database SQLAlchemy knows (the driver is checked by ``check_driver``)."""
    try:
        return _dialect_known(parse(text).url.drivername)
    except ValueError:
        return False


def check_driver(template: Template, name: str) -> None:
    """Raise a clear error if the URL's driver is unknown or its Python package is not installed."""
    url = template.url
    try:
        dialect = url.get_dialect()
    except Exception:
        raise SQLDatasetError(
            f"datasets {name!r}: SQLAlchemy has no driver {url.get_driver_name()!r} for "
            f"{url.get_backend_name()!r}; use e.g. postgresql+psycopg://, mysql+pymysql:// or sqlite:///") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise SQLDatasetError(
            f"datasets {name!r}: the driver for {url.drivername!r} is not installed ({exc.name or exc}); "
            f"pip install it (e.g. pip install 'omegaml-sql[postgresql]' or 'omegaml-sql[mysql]')") from None


def strip_password(template: Template) -> dict[str, str]:
    """Replace inline passwords by placeholders in ``template`` (in place); returns the removed values by placeholder."""
    removed: dict[str, str] = {}
    url = template.url
    if url.password and not _templated(url.password, template):
        token = _token(len(template.tokens))
        template.tokens[token] = "password"
        removed["password"] = str(url.password)
        url = url.set(password=token)
    query = dict(url.query)
    for key in PASSWORD_QUERY_KEYS:
        value = query.get(key)
        if isinstance(value, str) and value and not _templated(value, template):
            token = _token(len(template.tokens))
            template.tokens[token] = key
            removed[key] = value
            query[key] = token
    template.url = url.set(query=query)
    return removed


def refuse_secret_options(template: Template, name: str) -> None:
    """Refuse query options that hold a secret (``sslpassword=``, ``token=``, key content...) as plain text.

    Only ``{placeholders}`` may stand there: their values come at read time from
    ``secrets=`` or the environment, so the stored reference never holds the secret.
    Inline passwords (``password=``) are removed by :func:`strip_password` instead.
    """
    for key, value in template.url.query.items():
        values = value if isinstance(value, tuple) else (value,)
        secret = key.lower() not in PASSWORD_QUERY_KEYS and (
            is_secret_option(key) or any("-----BEGIN" in str(v) for v in values))
        if secret and not all(_templated(str(v), template) for v in values):
            raise SQLDatasetError(
                f"datasets {name!r}: the URL option {key!r} holds a secret, which is never stored; write it as "
                f"{key}={{{key}}} and pass secrets={{'{key}': ...}} to get, or set ${env_names(name, key)[0]}")


def _templated(value: str, template: Template) -> bool:
    return any(token in value for token in template.tokens)


@dataclass
class Resolved:
    """A URL with every placeholder filled, and the values that must never be shown."""

    url: Any
    secret_values: list[str]


def resolve(stored: str, name: str, secrets: Mapping[str, Any] | None = None) -> Resolved:
    """Fill the placeholders of a stored template from ``secrets`` and the environment."""
    template = parse(stored)
    secrets = dict(secrets or {})
    values: dict[str, str] = {}
    missing = []
    for var in template.placeholders:
        if var in secrets and secrets[var] is not None:
            values[var] = str(secrets[var])
            continue
        found = next((os.environ[e] for e in env_names(name, var) if os.environ.get(e) is not None), None)
        if found is None:
            missing.append(var)
        else:
            values[var] = found
    if missing:
        hints = "; ".join(f"{{{v}}}: secrets={{'{v}': ...}} or ${env_names(name, v)[0]}" for v in missing)
        raise MissingSecretError(f"datasets {name!r}: the connection {stored} needs a value for "
                                 f"{', '.join('{' + v + '}' for v in missing)} ({hints})")

    def fill(text: Any) -> Any:
        if text is None:
            return None
        if isinstance(text, tuple):
            return tuple(fill(t) for t in text)
        for token, var in template.tokens.items():
            text = text.replace(token, values[var])
        return text

    url = template.url
    url = url.set(username=fill(url.username), password=fill(url.password), host=fill(url.host),
                  database=fill(url.database), query={k: fill(v) for k, v in url.query.items()})
    hidden = [values[v] for v in values if _SECRET_NAME.search(v)]
    hidden += [str(v) for k, v in secrets.items() if v is not None and len(str(v)) >= 4]
    if url.password:
        hidden.append(str(url.password))
    return Resolved(url, sorted({h for h in hidden if h}, key=len, reverse=True))


def scrub(text: str, secret_values: list[str]) -> str:
    """``text`` with every secret value (raw and URL-quoted) replaced by ``***``."""
    for value in secret_values:
        for form in {value, quote(value, safe=""), quote_plus(value)}:
            text = text.replace(form, "***")
    return text
