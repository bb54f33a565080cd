"""TLS on every connection: what a URL says about it, Celery settings for it, warnings and clear errors.

Each connection is configured in its own URL:

- MongoDB: ``mongodb://host/db?tls=true&tlsCAFile=/path/ca.pem`` (pymongo's options).
- Redis broker and result backend: ``rediss://host:6380/0?ssl_cert_reqs=required&ssl_ca_certs=/path/ca.pem``.
- RabbitMQ: ``amqps://user:pw@host:5671//?ssl_ca_certs=/path/ca.pem``; the ``ssl_*``
  options become Celery's ``broker_use_ssl`` (certificate and host name verified).
- PostgreSQL (omegaml-sql): ``postgresql+psycopg://...?sslmode=verify-full&sslrootcert=/path/ca.pem``.

Options that switch verification off (``tlsInsecure``, ``ssl_cert_reqs=none``,
``sslmode=require``...) are reported by :func:`tls_status` and warned about by
:func:`warn_insecure`.
"""
from __future__ import annotations

import re
import warnings
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import redact_url

TLS_SCHEMES = {"rediss", "amqps", "mongodb+srv"}
#: option names (lower case) and values that turn certificate or host name checks off
_INSECURE = {"tlsinsecure": "true", "tlsallowinvalidcertificates": "true", "tlsallowinvalidhostnames": "true",
             "ssl_cert_reqs": ("none", "cert_none", "optional", "cert_optional"), "ssl_check_hostname": "false",
             "sslmode": ("disable", "allow", "prefer", "require")}
_TLS_ON = {"tls": "true", "ssl": "true", "sslmode": ("verify-ca", "verify-full")}


class InsecureTransportWarning(UserWarning):
    """A connection's TLS options switch certificate or host name verification off."""


def _options(url: str) -> dict[str, str]:
    return {k.lower(): v.lower() for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}


def _matches(options: dict[str, str], table: dict[str, Any]) -> list[str]:
    found = []
    for key, bad in table.items():
        value = options.get(key)
        if value is not None and (value in bad if isinstance(bad, tuple) else value == bad):
            found.append(f"{key}={value}")
    return found


def tls_status(url: str | None) -> tuple[bool | None, str]:
    """``(protected, detail)`` for a connection URL: True verified TLS, False not, None no network at all."""
    if not url:
        return None, "not configured"
    scheme = url.split("://", 1)[0].lower()
    if scheme.startswith("sqlite") or scheme in ("memory", "rpc"):
        return None, "no network connection of its own" if scheme == "rpc" else "local file, no network"
    options = _options(url)
    insecure = _matches(options, _INSECURE)
    if insecure:
        return False, f"TLS without verification ({', '.join(insecure)})"
    if scheme in TLS_SCHEMES or _matches(options, _TLS_ON):
        return True, "TLS, certificate verified"
    return False, "no TLS: credentials and data travel in clear text"


def warn_insecure(url: str | None, what: str) -> None:
    """Warn (once per place) when ``url`` switches TLS verification off."""
    protected, detail = tls_status(url)
    if protected is False and detail.startswith("TLS without verification"):
        warnings.warn(f"{what} {redact_url(url)}: {detail}; anyone on the network path can impersonate "
                      "the server. Give the CA file instead", InsecureTransportWarning, stacklevel=3)


_SSL_KEYS = {"ssl_ca_certs": "ca_certs", "ssl_certfile": "certfile", "ssl_keyfile": "keyfile"}


def celery_tls(broker_url: str) -> tuple[str, dict[str, Any]]:
    """The broker URL for Celery and the settings its TLS needs (``broker_use_ssl`` for ``amqps://``)."""
    import ssl

    parts = urlsplit(broker_url)
    if parts.scheme != "amqps":
        return broker_url, {}
    query = parse_qsl(parts.query, keep_blank_values=True)
    ssl_options: dict[str, Any] = {"cert_reqs": ssl.CERT_REQUIRED, "server_hostname": parts.hostname}
    for key, value in query:
        if key in _SSL_KEYS:
            ssl_options[_SSL_KEYS[key]] = value
        elif key == "ssl_cert_reqs":
            ssl_options["cert_reqs"] = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL}.get(
                value.lower().replace("cert_", ""), ssl.CERT_REQUIRED)
    if ssl_options["cert_reqs"] == ssl.CERT_NONE:
        ssl_options.pop("server_hostname")
    rest = [(k, v) for k, v in query if k not in _SSL_KEYS and k != "ssl_cert_reqs"]
    url = urlunsplit(parts._replace(query=urlencode(rest)))
    return url, {"broker_use_ssl": ssl_options}


_REASON = re.compile(r"(certificate verify failed[^(\n]*|hostname mismatch[^(\n]*|"
                     r"doesn't match[^(\n,]*|wrong version number|unexpected eof[^(\n]*|"
                     r"tlsv1 alert[^(\n]*|sslv3 alert[^(\n]*)", re.IGNORECASE)


def tls_reason(exc: BaseException) -> str | None:
    """The TLS reason in a driver's (often long) error, e.g. ``certificate verify failed: ...``; None if none."""
    found = _REASON.search(str(exc))
    return found.group(1).strip().rstrip(",.;:") if found else None


_reachable: set[int] = set()


def ensure_reachable(app: Any, broker_url: str, backend_url: str | None) -> None:
    """Connect to ``app``'s broker (and Redis result backend) once per app; a ConnectionError in one line
    naming the server and the reason (the TLS reason when the handshake failed) otherwise.

    Without this check a TLS failure shows up late and as something else (Celery's result
    consumer retries for 20 s, then reports that "the application must be restarted").
    """
    if id(app) in _reachable:
        return
    checks = [("broker", broker_url, lambda: app.connection_for_write().ensure_connection(max_retries=1))]
    if backend_url and backend_url.startswith(("redis://", "rediss://")):
        checks.append(("result backend", backend_url, lambda: app.backend.client.ping()))
    for what, url, connect in checks:
        try:
            connect()
        except Exception as exc:
            host = urlsplit(url).netloc.rpartition("@")[2]
            reason = tls_reason(exc)
            detail = f"TLS failed: {reason}" if reason else " ".join(str(exc).split()) or type(exc).__name__
            raise ConnectionError(f"cannot connect to the {what} at {host} ({redact_url(url).split('?')[0]}): "
                                  f"{detail}") from None
    _reachable.add(id(app))
