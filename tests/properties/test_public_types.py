"""Public signatures name what they take (HashArg, KeyLike, PublicKeyLike, PrivateKeyLike, CertificateLike, CrlLike)
instead of Any; only JSON mappings (Mapping[str, Any]) and a few vendor option bags keep Any."""

from __future__ import annotations

import inspect
import warnings
from typing import get_args

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

import cryptokit as ck
from cryptokit import returned_signatures
from cryptokit.bulk import worker
from cryptokit.chain import sigs
from cryptokit.protocols import adss, csc
from cryptokit.signatures import public_keys

NAMED = {
    ck.verify_digest: {"key": "KeyLike", "algorithm": "HashArg", "pss_mgf_hash": "HashArg | None"},
    ck.verify_message: {"key": "KeyLike", "algorithm": "HashArg | None"},
    ck.identify_signature: {"key": "KeyLike", "algorithm": "HashArg"},
    ck.sign_digest: {"private_key": "PrivateKeyLike", "algorithm": "HashArg"},
    ck.sign_message: {"private_key": "PrivateKeyLike"},
    ck.load_public_key: {"key": "KeyLike"},
    ck.load_certificates: {"data": "CertificateLike"},
    ck.validate_chain: {"trust_anchors": "CertificateLike", "intermediates": "CertificateLike", "crls": "CrlLike"},
    ck.hash_algorithm: {"name": "HashArg"},
    ck.build_csr: {"private_key": "PrivateKeyLike"},
    adss.validate_sign_response: {"trust_anchors": "CertificateLike", "crls": "CrlLike"},
    adss.verify_sign_response: {"trust_anchors": "CertificateLike", "crls": "CrlLike"},
    csc.validate_sign_hash_response: {"trust_anchors": "CertificateLike", "crls": "CrlLike"},
    csc.verify_sign_hash_response: {"trust_anchors": "CertificateLike", "crls": "CrlLike"},
    adss.sign_hashes: {"signer": "PrivateKeyLike"},
    csc.sign_hashes: {"signer": "PrivateKeyLike"},
    # already-loaded public keys and the hashes that go with them
    ck.VerifyJob.__init__: {"key": "KeyLike", "algorithm": "HashArg | None", "pss_mgf_hash": "HashArg | None"},
    ck.CsrInfo.__init__: {"public_key": "CertificatePublicKey"},
    returned_signatures.find_signed_hash: {"key": "PublicKeyLike", "pss_mgf_hash": "HashArg | None"},
    returned_signatures.recovered_digest_info: {"key": "PublicKeyLike"},
    returned_signatures.pss_shaped_for: {"key": "PublicKeyLike"},
    sigs.key_problem: {"key": "CertificatePublicKey"},
    sigs.verify_signed: {"key": "CertificatePublicKey"},
    sigs.verify_signature: {"key": "CertificatePublicKey"},
    worker.prepare: {"pk": "PublicKey"},
    ck.signatures.signature_length_rule: {"key": "PublicKeyType"},
    ck.der_to_raw: {"curve_or_key": "CurveLike"},
    ck.raw_to_der: {"curve_or_key": "CurveLike"},
}


@pytest.mark.parametrize("function", list(NAMED), ids=lambda f: f.__qualname__)
def test_arguments_are_annotated_with_the_named_aliases(function: object) -> None:
    params = inspect.signature(function).parameters  # type: ignore[arg-type]
    for name, alias in NAMED[function].items():  # type: ignore[index]
        assert str(params[name].annotation) == alias, f"{name}: {params[name].annotation}"


def test_the_aliases_are_public() -> None:
    for alias in ("HashArg", "KeyLike", "PublicKeyLike", "PrivateKeyLike", "CertificateLike", "CrlLike"):
        assert alias in ck.__all__ and getattr(ck, alias) is not None


def test_the_public_key_aliases_resolve_without_a_warning_and_name_the_supported_types() -> None:
    """PublicKeyLike is the four key types cryptokit verifies with plus its own PublicKey; the
    certificate-key alias is cryptography's union, which evaluating does not warn about (naming
    dsa.DSAPublicKey would on cryptography 51)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = eval(public_keys.PublicKeyLike, vars(public_keys))  # the alias is a forward-reference string
        certificate = public_keys.CertificatePublicKey
    supported = {rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey, ed448.Ed448PublicKey}
    assert set(get_args(loaded)) == {public_keys.PublicKey, *supported}
    assert {rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey} <= set(get_args(certificate))


def test_no_public_function_of_cryptokit_takes_a_bare_any() -> None:
    loose = []
    for name in ck.__all__:
        value = getattr(ck, name)
        if inspect.isfunction(value):
            for p in inspect.signature(value).parameters.values():
                text = str(p.annotation)
                if "Any" in text.replace("Mapping[str, Any]", "").replace("PathLike[Any]", ""):
                    loose.append(f"{name}({p.name}: {text})")
    assert loose == []


def _public_callables() -> list[tuple[str, object]]:
    """Every function and method exported by a public module of cryptokit (no ``_`` in its path)."""
    import importlib
    import pkgutil

    names = ["cryptokit"] + [
        m.name
        for m in pkgutil.walk_packages(ck.__path__, "cryptokit.")
        if not any(part.startswith("_") for part in m.name.split(".")[1:])
        and not m.name.startswith(("cryptokit.integrations", "cryptokit.cli"))  # optional extras / argparse glue
    ]
    out: dict[tuple[str, str], tuple[str, object]] = {}
    for module_name in names:
        module = importlib.import_module(module_name)
        for export in getattr(module, "__all__", ()):
            value = getattr(module, export)
            members = [(export, value)] if inspect.isfunction(value) else []
            if inspect.isclass(value) and value.__module__.startswith("cryptokit"):
                members = [
                    (f"{export}.{n}", getattr(value, n))
                    for n, f in vars(value).items()
                    if isinstance(f, (staticmethod, classmethod)) or inspect.isfunction(f)
                    if not n.startswith("_") or n == "__init__"
                ]
            for label, member in members:
                out.setdefault((member.__module__, member.__qualname__), (f"{module_name}.{label}", member))
    return list(out.values())


#: Parameters that take certificates, CRLs, OCSP answers, a vendor token, key material, an
#: already-loaded public key or a hash: a named alias or type always serves them.
_NAMED_ROLES = {
    "certificate", "certificates", "certificate_chain", "trust_anchors", "intermediates", "crls",
    "ocsp_responses", "token", "signer", "envelope", "private_key",
    "key", "pk", "public_key", "curve_or_key", "algorithm", "hash_algorithm", "pss_mgf_hash", "mgf_hash",
}  # fmt: skip


def test_no_public_function_takes_any_where_a_named_alias_serves() -> None:
    functions = _public_callables()
    assert len(functions) > 400
    loose = [
        f"{label}({p.name}: {p.annotation})"
        for label, function in functions
        for p in inspect.signature(function).parameters.values()  # type: ignore[arg-type]
        if p.name in _NAMED_ROLES and "Any" in str(p.annotation)
    ]
    assert loose == []
