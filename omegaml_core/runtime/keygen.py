"""``om signing init DIR``: a CA and one signing key pair for a small deployment, without openssl."""
from __future__ import annotations

import datetime
import os
from pathlib import Path

from ..errors import ConfigurationError

FILES = {"ca_key": "ca-key.pem", "ca": "ca.pem", "key": "signing-key.pem", "cert": "signing-cert.pem"}
VALID_DAYS = 3 * 365


def _write_new(path: Path, data: bytes, private: bool) -> None:
    """Create ``path`` exclusively (never overwrite a key), readable by the owner only if ``private``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def init_signing(folder: str | os.PathLike, name: str = "omegaml") -> dict[str, Path]:
    """Create ``ca-key.pem``, ``ca.pem``, ``signing-key.pem`` and ``signing-cert.pem`` in ``folder``.

    RSA keys (Celery's ``auth`` serializer supports RSA only). Keep ``ca-key.pem``
    offline; clients and workers need the other three. Refuses to replace existing files.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    paths = {k: folder / v for k, v in FILES.items()}
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing:
        raise ConfigurationError(f"{', '.join(existing)} already exist; choose an empty folder (keys are never replaced)")
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject: str, key, issuer: str, signer, ca: bool) -> x509.Certificate:
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
                .sign(signer, hashes.SHA256()))

    def pem_key(key) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = f"{name} signing CA"
    ca_cert = certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(f"{name} signer", key, ca_name, ca_key, ca=False)
    _write_new(paths["ca_key"], pem_key(ca_key), private=True)
    _write_new(paths["ca"], ca_cert.public_bytes(serialization.Encoding.PEM), private=False)
    _write_new(paths["key"], pem_key(key), private=True)
    _write_new(paths["cert"], cert.public_bytes(serialization.Encoding.PEM), private=False)
    return paths
