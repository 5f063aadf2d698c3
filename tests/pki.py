"""A throwaway PKI for tests: keys (cached per label) and certificates built with cryptography.

from tests.pki import make_pki, make_key, make_cert
pki = make_pki("rsa2048")           # root -> intermediate -> leaf (document signing)
pki.leaf, pki.leaf_key, pki.chain   # chain = [intermediate, root]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _new_key(kind: str) -> PrivateKey:
    if kind.startswith("rsa"):
        return rsa.generate_private_key(65537, int(kind[3:] or 2048))
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "p521":
        return ec.generate_private_key(ec.SECP521R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(kind)


@cache
def make_key(kind: str = "p256", label: str = "") -> PrivateKey:
    """A private key of ``kind`` (rsa1024, rsa2048, rsa3072, p256, p384, p521, ed25519),
    the same object for the same (kind, label) within a test run."""
    return _new_key(kind)


def name(cn: str, **extra: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if "o" in extra:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["o"]))
    if "c" in extra:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, extra["c"]))
    return x509.Name(attrs)


def make_cert(
    subject: x509.Name | str,
    key: PrivateKey,
    issuer: x509.Certificate | None = None,
    issuer_key: PrivateKey | None = None,
    *,
    ca: bool = False,
    path_length: int | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key_usage: dict[str, bool] | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    hash_alg: hashes.HashAlgorithm | None = None,
    serial: int | None = None,
    extra_extensions: list[tuple[x509.ExtensionType, bool]] | None = None,
    skid: bool = True,
) -> x509.Certificate:
    """A certificate for ``key``; self-signed when ``issuer`` is None.

    CA certificates get basicConstraints(ca=True) and keyCertSign/cRLSign; end-entity ones get
    digitalSignature and nonRepudiation unless ``key_usage`` says otherwise.
    """
    subject_name = name(subject) if isinstance(subject, str) else subject
    issuer_name = issuer.subject if issuer is not None else subject_name
    signing_key = issuer_key if issuer_key is not None else key
    ku = dict(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    ku.update(key_usage or {})
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(x509.KeyUsage(**ku), critical=True)
    )
    if skid:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if issuer is not None:
        try:
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            )
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key())
        builder = builder.add_extension(aki, critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    for ext, critical in extra_extensions or []:
        builder = builder.add_extension(ext, critical=critical)
    if isinstance(signing_key, ed25519.Ed25519PrivateKey):
        algorithm = None
    else:
        algorithm = hash_alg or hashes.SHA256()
    return builder.sign(signing_key, algorithm)  # type: ignore[arg-type]


@dataclass
class Pki:
    root: x509.Certificate
    root_key: PrivateKey
    intermediate: x509.Certificate
    intermediate_key: PrivateKey
    leaf: x509.Certificate
    leaf_key: PrivateKey
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediates then root, as a service returns them."""
        return [self.intermediate, self.root]


def make_pki(kind: str = "p256", leaf_kind: str | None = None, *, label: str = "", **leaf_options: Any) -> Pki:
    """root (self-signed CA) -> intermediate CA -> leaf (document signing by default)."""
    root_key = make_key(kind, label + "root")
    inter_key = make_key(kind, label + "inter")
    leaf_key = make_key(leaf_kind or kind, label + "leaf")
    root = make_cert(name(f"Test Root {kind}{label}", o="cryptokit tests", c="IN"), root_key, ca=True)
    inter = make_cert(
        name(f"Test Issuing CA {kind}{label}", o="cryptokit tests", c="IN"),
        inter_key,
        root,
        root_key,
        ca=True,
        path_length=0,
    )
    leaf = make_cert(
        name(f"Test Signer {kind}{label}", o="cryptokit tests", c="IN"), leaf_key, inter, inter_key, **leaf_options
    )
    return Pki(root, root_key, inter, inter_key, leaf, leaf_key)
