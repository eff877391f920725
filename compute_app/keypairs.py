"""Key pair generation and fingerprints, as Nova computes them.

* ssh keys: the fingerprint is the MD5 of the base64-decoded key blob, as
  colon-separated lowercase hex (what ``ssh-keygen -l -E md5`` prints and what
  Nova has always returned). Generated keys are RSA 2048; the private key is
  PEM "traditional OpenSSL" (``BEGIN RSA PRIVATE KEY``), which every ssh client
  reads, and the public key carries Nova's comment.
* x509 "keys" (microversion 2.2+) are PEM certificates; the fingerprint is the
  certificate's SHA-1, colon-separated. Generated ones are self-signed client
  certificates for the user, as Nova's WinRM certificates.

Validation is done by actually loading the key with ``cryptography``: whatever
it cannot parse is refused, so a stored public key is always usable.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TYPE_SSH = "ssh"
TYPE_X509 = "x509"
KEY_TYPES = (TYPE_SSH, TYPE_X509)

RSA_BITS = 2048
# Nova appends this comment to the keys it generates; kept so tools that look
# for it (and users who know it) see the same thing.
GENERATED_COMMENT = "Generated-by-Nova"
X509_VALID_DAYS = 3650


class InvalidKey(ValueError):
    """The public key (or certificate) cannot be used; the message says why."""


@dataclass(frozen=True)
class GeneratedKey:
    private_key: str
    public_key: str
    fingerprint: str


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 fingerprint of an OpenSSH public key line, or InvalidKey."""
    if not isinstance(public_key, str):
        raise InvalidKey("failed to generate fingerprint")
    try:
        serialization.load_ssh_public_key(public_key.encode("utf-8"))
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except Exception:  # noqa: BLE001 - cryptography raises assorted types (UnsupportedAlgorithm, ...)
        raise InvalidKey("failed to generate fingerprint") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(pem: str) -> str:
    """SHA-1 fingerprint of a PEM certificate, or InvalidKey."""
    if not isinstance(pem, str):
        raise InvalidKey("failed to generate X509 fingerprint")
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("utf-8"))
        digest = certificate.fingerprint(hashes.SHA1())  # noqa: S303 - Nova's fingerprint format
    except (ValueError, TypeError, UnicodeError) as exc:
        raise InvalidKey(f"failed to generate X509 fingerprint. Error message: {exc}") from None
    return _colon_hex(digest)


def fingerprint(public_key: str, key_type: str = TYPE_SSH) -> str:
    if key_type == TYPE_X509:
        return x509_fingerprint(public_key)
    return ssh_fingerprint(public_key)


def generate_ssh() -> GeneratedKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    private_pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.TraditionalOpenSSL,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        encoding=serialization.Encoding.OpenSSH, format=serialization.PublicFormat.OpenSSH
    ).decode("ascii")
    public = f"{public} {GENERATED_COMMENT}"
    return GeneratedKey(private_pem, public, ssh_fingerprint(public))


def generate_x509(user_id: str) -> GeneratedKey:
    """A self-signed client certificate for ``user_id`` and its private key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id or "user")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=X509_VALID_DAYS))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    private_pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    return GeneratedKey(private_pem, cert_pem, x509_fingerprint(cert_pem))


def generate(key_type: str, user_id: str) -> GeneratedKey:
    if key_type == TYPE_X509:
        return generate_x509(user_id)
    return generate_ssh()
