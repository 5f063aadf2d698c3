from __future__ import annotations

from tests.pki import make_pki


def test_make_pki_chains() -> None:
    for kind in ("p256", "rsa2048", "ed25519"):
        pki = make_pki(kind)
        assert pki.leaf.issuer == pki.intermediate.subject
        assert pki.intermediate.issuer == pki.root.subject
        pki.leaf.verify_directly_issued_by(pki.intermediate)
        pki.intermediate.verify_directly_issued_by(pki.root)
