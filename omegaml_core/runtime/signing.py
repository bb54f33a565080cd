"""Signed task messages and results: Celery's ``auth`` serializer, configured from the environment.

Set ``OMEGA_SIGNING_KEY`` (this process's private key, PEM), ``OMEGA_SIGNING_CERT``
(its certificate, issued by the CA) and ``OMEGA_SIGNING_CA`` (a PEM file or a
folder of PEM files: the CA certificate, plus the certificates of the other
signers, each issued by that CA) on clients and workers alike. Then every task
message, control message and result is signed, and a worker (or client) accepts
only ``auth`` content whose signer's certificate was issued by the CA: an
unsigned or forged message is rejected and logged by Celery before any task
code runs. ``om signing init DIR`` makes a CA and a key pair for a small deployment.

Celery's ``setup_security()`` would also disable the JSON decoder process-wide
(which the in-process runtime and results use), so the serializer is registered
here with a trust store that checks issuers; ``accept_content = ['auth']`` is
what makes the consumers refuse everything else. kombu's serializer registry is
process-wide, so a process signs with one configuration (read on first use).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

KEY_ENV, CERT_ENV, CA_ENV = "OMEGA_SIGNING_KEY", "OMEGA_SIGNING_CERT", "OMEGA_SIGNING_CA"
SIGNED = "auth"
DIGEST = "sha256"


@dataclass(frozen=True)
class SigningConfig:
    """Where this process's signing key, its certificate and the trusted CA are."""

    key: str
    cert: str
    ca: str


def signing_config() -> SigningConfig | None:
    """The signing configuration from the environment; None when signing is off (none of the three set)."""
    values = {name: os.environ.get(name, "").strip() for name in (KEY_ENV, CERT_ENV, CA_ENV)}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConfigurationError(f"message signing needs {KEY_ENV}, {CERT_ENV} and {CA_ENV}; "
                                 f"{', '.join(missing)} not set (om signing init DIR makes all three)")
    for name, value in values.items():
        if not Path(value).exists():
            raise ConfigurationError(f"{name}={value!r}: no such file")
    return SigningConfig(values[KEY_ENV], values[CERT_ENV], values[CA_ENV])


def _pem_certificates(path: str) -> list[Any]:
    from cryptography import x509

    files = sorted(p for p in Path(path).iterdir() if p.is_file()) if Path(path).is_dir() else [Path(path)]
    certs = []
    for file in files:
        try:
            certs += x509.load_pem_x509_certificates(file.read_bytes())
        except ValueError as exc:
            raise ConfigurationError(f"{file} in {CA_ENV} is not a PEM certificate file: {exc}") from None
    return certs


def _is_ca(cert: Any) -> bool:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issued_by(cert: Any, anchors: list[Any]) -> bool:
    from cryptography.exceptions import InvalidSignature

    for anchor in anchors:
        try:
            cert.verify_directly_issued_by(anchor)
            return True
        except (ValueError, TypeError, InvalidSignature):  # another issuer, or a bad signature
            continue
    return False


def trust_store(signing: SigningConfig) -> Any:
    """Celery's certificate store holding every non-CA certificate issued by a CA in ``signing.ca``."""
    from celery.security.certificate import Certificate, CertStore
    from cryptography.hazmat.primitives.serialization import Encoding

    found = _pem_certificates(signing.ca)
    anchors = [c for c in found if _is_ca(c)]
    if not anchors:
        raise ConfigurationError(f"{CA_ENV}={signing.ca!r} holds no CA certificate")
    own = _pem_certificates(signing.cert)
    if not own or not _issued_by(own[0], anchors):
        raise ConfigurationError(f"{CERT_ENV}={signing.cert!r} is not issued by the CA in {CA_ENV}={signing.ca!r}")
    store = CertStore()
    seen = set()
    for cert in [*own[:1], *found]:
        if _is_ca(cert) or cert.fingerprint(cert.signature_hash_algorithm) in seen or not _issued_by(cert, anchors):
            continue
        seen.add(cert.fingerprint(cert.signature_hash_algorithm))
        store.add_cert(Certificate(cert.public_bytes(Encoding.PEM).decode()))
    return store


@functools.lru_cache(maxsize=None)
def register_signed_serializer(signing: SigningConfig) -> None:
    """Register the ``auth`` serializer (process-wide in kombu) for ``signing``."""
    from celery.security.certificate import Certificate
    from celery.security.key import PrivateKey
    from celery.security.serialization import SecureSerializer
    from kombu.serialization import registry

    try:
        key = PrivateKey(Path(signing.key).read_text())
        cert = Certificate(Path(signing.cert).read_text())
    except Exception as exc:
        raise ConfigurationError(f"cannot read the signing key or certificate ({KEY_ENV}, {CERT_ENV}): {exc}") from None
    serializer = SecureSerializer(key, cert, trust_store(signing), digest=DIGEST, serializer="json")
    registry.register(SIGNED, serializer.serialize, serializer.deserialize,
                      content_type="application/data", content_encoding="utf-8")


def configure_signing(app: Any, signing: SigningConfig | None) -> None:
    """Make ``app`` sign what it sends and accept only signed messages and results (no-op when signing is off)."""
    if signing is None:
        return
    register_signed_serializer(signing)
    app.conf.update(task_serializer=SIGNED, result_serializer=SIGNED, accept_content=[SIGNED],
                    result_accept_content=[SIGNED], security_key=signing.key,
                    security_certificate=signing.cert, security_cert_store=signing.ca, security_digest=DIGEST)
