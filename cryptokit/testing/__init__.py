"""A throwaway PKI for tests, demos and documentation. Never for production keys.

    from cryptokit.testing import make_pki
    pki = make_pki("rsa2048")           # root -> issuing CA -> leaf (document signing)
    pki.leaf, pki.leaf_key, pki.chain   # chain = [issuing CA, root], as a service returns it

Keys are generated fresh (``make_key`` caches them per (kind, label) within a process, because RSA
generation is slow); certificates carry SKI/AKI, basicConstraints and keyUsage like a real CA's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from ..errors import InputError

__all__ = [
    "PrivateKey",
    "Pki",
    "TlsPki",
    "new_key",
    "make_key",
    "make_cert",
    "make_pki",
    "make_tls_pki",
    "name",
    "policy_extensions",
    "resign",
]

UTC = dt.UTC
DAY = dt.timedelta(days=1)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

_CURVES: dict[str, ec.EllipticCurve] = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}


def new_key(kind: str = "p256") -> PrivateKey:
    """A fresh private key: rsa1024/rsa2048/rsa3072/rsa4096, p256, p384, p521 or ed25519."""
    if kind.startswith("rsa") and kind[3:].isdigit():
        return rsa.generate_private_key(65537, int(kind[3:]))
    if kind in _CURVES:
        return ec.generate_private_key(_CURVES[kind])
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise InputError("kind", f"{kind!r} is not one of rsaNNNN, p256, p384, p521, ed25519")


@cache
def make_key(kind: str = "p256", label: str = "") -> PrivateKey:
    """A private key of ``kind``, the same object for the same (kind, label) in this process."""
    return new_key(kind)


def name(cn: str, **extra: str) -> x509.Name:
    """``CN=cn`` plus optional ``o=`` and ``c=`` attributes."""
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
    akid: bool = True,
    bc_critical: bool | None = True,
    issuer_name: x509.Name | None = None,
) -> x509.Certificate:
    """A certificate for ``key``; self-signed when ``issuer`` is None.

    CA certificates get basicConstraints(ca=True) and keyCertSign/cRLSign; end-entity ones get
    digitalSignature and nonRepudiation unless ``key_usage`` says otherwise. ``skid``/``akid``:
    include the key identifiers; ``bc_critical``: basicConstraints critical, not critical, or
    absent (None); ``issuer_name``: write this issuer name instead of the issuer's subject.
    """
    now = dt.datetime.now(UTC).replace(microsecond=0)
    subject_name = name(subject) if isinstance(subject, str) else subject
    if issuer_name is None:
        issuer_name = issuer.subject if issuer is not None else subject_name
    signing_key = issuer_key if issuer_key is not None else key
    ku = {
        "digital_signature": not ca,
        "content_commitment": not ca,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": ca,
        "crl_sign": ca,
        "encipher_only": False,
        "decipher_only": False,
    }
    ku.update(key_usage or {})
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or now - DAY)
        .not_valid_after(not_after or now + 365 * DAY)
        .add_extension(x509.KeyUsage(**ku), critical=True)
    )
    if bc_critical is not None:
        bc = x509.BasicConstraints(ca=ca, path_length=path_length if ca else None)
        builder = builder.add_extension(bc, critical=bc_critical)
    if skid:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if issuer is not None and akid:
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
    algorithm = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else (hash_alg or hashes.SHA256())
    return builder.sign(signing_key, algorithm)  # type: ignore[arg-type]  # SHA-1/MD5 allowed on purpose for tests


@dataclass
class Pki:
    """root -> intermediate -> leaf, with their keys."""

    root: x509.Certificate
    root_key: PrivateKey
    intermediate: x509.Certificate
    intermediate_key: PrivateKey
    leaf: x509.Certificate
    leaf_key: PrivateKey
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediate then root, as a service returns them."""
        return [self.intermediate, self.root]


def make_pki(
    kind: str = "p256",
    leaf_kind: str | None = None,
    *,
    label: str = "",
    policies: Sequence[str] | None = None,
    **leaf_options: Any,
) -> Pki:
    """root (self-signed CA) -> issuing CA (path length 0) -> leaf (document signing by default).

    ``policies``: certificate policy OIDs the leaf asserts (the issuing CA then asserts anyPolicy),
    e.g. ``["0.4.0.194112.1.2"]`` (ETSI QCP-n-qscd); None: no certificatePolicies anywhere."""
    root_key = make_key(kind, label + "root")
    inter_key = make_key(kind, label + "inter")
    leaf_key = make_key(leaf_kind or kind, label + "leaf")
    org = {"o": "cryptokit tests", "c": "IN"}
    inter_ext: list[tuple[x509.ExtensionType, bool]] = []
    if policies is not None:
        inter_ext = policy_extensions(["2.5.29.32.0"])
        leaf_options["extra_extensions"] = [*leaf_options.get("extra_extensions", []), *policy_extensions(policies)]
    root = make_cert(name(f"Test Root {kind}{label}", **org), root_key, ca=True)
    inter = make_cert(
        name(f"Test Issuing CA {kind}{label}", **org),
        inter_key,
        root,
        root_key,
        ca=True,
        path_length=0,
        extra_extensions=inter_ext,
    )
    leaf = make_cert(name(f"Test Signer {kind}{label}", **org), leaf_key, inter, inter_key, **leaf_options)
    return Pki(root, root_key, inter, inter_key, leaf, leaf_key)


def policy_extensions(
    policies: Sequence[str] | None = None,
    *,
    mappings: Sequence[tuple[str, str]] = (),
    require_explicit_policy: int | None = None,
    inhibit_policy_mapping: int | None = None,
    inhibit_any_policy: int | None = None,
) -> list[tuple[x509.ExtensionType, bool]]:
    """certificatePolicies (the dotted ``policies``, without qualifiers; None: absent),
    policyMappings ((issuerDomainPolicy, subjectDomainPolicy) pairs, encoded with asn1crypto because
    cryptography has no class for it), policyConstraints and inhibitAnyPolicy, as
    ``make_cert(extra_extensions=...)`` takes them."""
    out: list[tuple[x509.ExtensionType, bool]] = []
    if policies is not None:
        infos = [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]
        out.append((x509.CertificatePolicies(infos), False))
    if mappings:
        from asn1crypto import x509 as a_x509

        der = a_x509.PolicyMappings(
            [{"issuer_domain_policy": i, "subject_domain_policy": s} for i, s in mappings]
        ).dump()
        out.append((x509.UnrecognizedExtension(ExtensionOID.POLICY_MAPPINGS, der), True))
    if require_explicit_policy is not None or inhibit_policy_mapping is not None:
        out.append((x509.PolicyConstraints(require_explicit_policy, inhibit_policy_mapping), True))
    if inhibit_any_policy is not None:
        out.append((x509.InhibitAnyPolicy(inhibit_any_policy), True))
    return out


def resign(
    cert: x509.Certificate, signer_key: PrivateKey, change: Callable[[Any], None] | None = None
) -> x509.Certificate:
    """``cert`` with its TBSCertificate changed by ``change`` (called with the asn1crypto
    ``TbsCertificate``, to edit in place: version, serial, keys, raw extensions...) and signed
    again by ``signer_key``. For tests that need what cryptography's builder refuses to write
    (v1 with extensions, serials over 20 octets, explicit EC parameters, zero serials)."""
    from asn1crypto import x509 as a_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    parsed = a_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    if change is not None:
        change(tbs)
    if isinstance(signer_key, ed25519.Ed25519PrivateKey):
        alg = "ed25519"
    elif isinstance(signer_key, ec.EllipticCurvePrivateKey):
        alg = "sha256_ecdsa"
    else:
        alg = "sha256_rsa"
    tbs["signature"] = {"algorithm": alg}
    data = tbs.dump(force=True)
    if isinstance(signer_key, ed25519.Ed25519PrivateKey):
        signature = signer_key.sign(data)
    elif isinstance(signer_key, ec.EllipticCurvePrivateKey):
        signature = signer_key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:
        signature = signer_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    out = a_x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": {"algorithm": alg}, "signature_value": signature}
    )
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():  # a zero or negative serial is what some tests want
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_der_x509_certificate(out.dump(force=True))


@dataclass
class TlsPki:
    """A TLS test PKI: ``root`` signs a ``server`` certificate (serverAuth, SAN 127.0.0.1 and
    localhost) and a ``client`` certificate (clientAuth) for mutual TLS; both are KeyBundles."""

    root: x509.Certificate
    root_key: PrivateKey
    server: Any
    client: Any

    def write(self, folder: str) -> dict[str, str]:
        """PEM files in ``folder`` (``ca``, ``server_cert``, ``server_key``, ``client_cert``,
        ``client_key``), keys unencrypted with mode 0600, as a TLS server such as uvicorn wants them."""
        import os

        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        files: dict[str, bytes] = {
            "ca": self.root.public_bytes(Encoding.PEM),
            "server_cert": self.server.certificate.public_bytes(Encoding.PEM),
            "server_key": self.server.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
            "client_cert": self.client.certificate.public_bytes(Encoding.PEM),
            "client_key": self.client.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
        }
        paths = {}
        for label, data in files.items():
            path = os.path.join(folder, f"{label}.pem")
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
                out.write(data)
            paths[label] = path
        return paths


def make_tls_pki(kind: str = "p256", *, label: str = "tls", client_name: str = "cryptokit test client") -> TlsPki:
    """A root, a server certificate for 127.0.0.1/localhost and a client certificate, for loopback TLS tests."""
    import ipaddress

    from cryptography.x509.oid import ExtendedKeyUsageOID

    from ..pkcs12 import KeyBundle

    root_key = make_key(kind, label + "-root")
    root = make_cert(name(f"Test TLS Root {label}"), root_key, ca=True)
    tls_usage = {"content_commitment": False, "key_encipherment": not kind.startswith("p")}
    server_key = make_key(kind, label + "-server")
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    server = make_cert(
        name("localhost"),
        server_key,
        root,
        root_key,
        key_usage=tls_usage,
        eku=[ExtendedKeyUsageOID.SERVER_AUTH],
        extra_extensions=[(san, False)],
    )
    client_key = make_key(kind, label + "-client")
    client = make_cert(
        name(client_name), client_key, root, root_key, key_usage=tls_usage, eku=[ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    return TlsPki(root, root_key, KeyBundle(server_key, server, (root,)), KeyBundle(client_key, client, (root,)))
