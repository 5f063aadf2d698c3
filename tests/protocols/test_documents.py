"""adss.sign_documents / csc.sign_documents: documents in, verified CMS out, through the EmbeddedSigner and
EmbeddedCscSigner exchanges (and through deliberately wrong services that swap, drop, cut or sign with
another key)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import cryptokit as ck
from cryptokit.cms import cms_verify
from cryptokit.errors import (
    DocumentSigningError,
    ForeignSignature,
    InputError,
    MisplacedSignature,
    PolicyViolation,
    SignatureCountMismatch,
    SignatureLengthError,
)
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, adss, csc
from tests.pki import Pki, make_cert, make_key, make_pki, name

TOKEN = "2YotnFZFEjr1zCsicMWpAA"
DOCS = [b"invoice 1\n", b"invoice 2\n" * 100, b"\x00\xffbinary\r\n"]


@pytest.fixture(scope="module")
def rsa() -> Pki:
    return make_pki("rsa2048", label="documents")


@pytest.fixture(scope="module")
def p256() -> Pki:
    return make_pki("p256", label="documents")


class Recorder:
    """The ``send`` callable: hands each request to a service's handle, optionally rewriting the answer."""

    def __init__(
        self, handle: Callable[[HttpRequest], HttpResponse], rewrite: Callable[[dict[str, Any]], None] | None = None
    ):
        self.handle = handle
        self.rewrite = rewrite
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        response = self.handle(request)
        if self.rewrite is None or response.status != 200:
            return response
        doc = orjson.loads(response.body)
        if "signatures" in doc:
            self.rewrite(doc)
        return HttpResponse(response.status, response.headers, orjson.dumps(doc))

    def paths(self) -> list[str]:
        return [r.path.rsplit("/", 2)[-2] + "/" + r.path.rsplit("/", 1)[-1] for r in self.requests]


def _adss(pki: Pki, **options: Any) -> adss.EmbeddedSigner:
    return adss.EmbeddedSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias="signer", **options)


def _adss_sign(pki: Pki, send: Any, docs: list[Any] | None = None, **options: Any) -> list[bytes]:
    return adss.sign_documents(
        DOCS if docs is None else docs,
        send,
        certificate=pki.leaf,
        chain=pki.chain,
        profile_id="CSP Service Profile",
        cert_alias="signer",
        token=TOKEN,
        **options,
    )


def _check(pki: Pki, signed: list[bytes], contents: list[bytes]) -> None:
    assert len(signed) == len(contents)
    for der, content in zip(signed, contents, strict=True):
        result = cms_verify(der, content=content, trust_anchors=[pki.root])
        assert result.signer == pki.leaf


# --------------------------------------------------------------------------- ADSS


@pytest.mark.parametrize(("kind", "encoding"), [("rsa2048", "der"), ("p256", "raw")])
def test_adss_bytes_paths_and_digests_in_one_request(tmp_path: Path, kind: str, encoding: str) -> None:
    pki = make_pki(kind, label="documents")
    path = tmp_path / "contract.pdf"
    path.write_bytes(DOCS[1])
    send = Recorder(_adss(pki, signature_encoding=encoding).handle)
    signed = _adss_sign(pki, send, [DOCS[0], path, ck.hash_to_sign(DOCS[2])])
    _check(pki, signed, DOCS)
    assert len(send.requests) == 1  # one sign request for all the documents
    assert len(orjson.loads(send.requests[0].body)["docs_to_sign_info"]) == 3


def test_adss_attached(rsa: Pki) -> None:
    signed = _adss_sign(rsa, Recorder(_adss(rsa).handle), detached=False)
    for der, content in zip(signed, DOCS, strict=True):
        assert cms_verify(der, trust_anchors=[rsa.root]).content == content


def test_adss_pending_polled_then_finished(rsa: Pki) -> None:
    send = Recorder(_adss(rsa, pending_polls=2).handle)
    _check(rsa, _adss_sign(rsa, send, max_polls=2, poll_interval=0), DOCS)
    assert len(send.requests) == 3
    with pytest.raises(adss.SigningPending) as info:
        _adss_sign(rsa, send, max_polls=1, poll_interval=0)
    pending = info.value
    assert pending.request_id and len(pending.prepared) == 3
    stored = [p.to_dict() for p in pending.prepared]  # between the two halves
    poll = adss.build_sign_status_request("CSP Service Profile", pending.request_id, token=TOKEN)
    answer = send(poll)
    result = adss.parse_sign_status(answer.status, answer.body)
    signed = adss.finish_documents([ck.PreparedCms.from_dict(d) for d in stored], result)
    _check(rsa, signed, DOCS)


def test_adss_swapped_order_names_documents(rsa: Pki) -> None:
    send = Recorder(_adss(rsa).handle, lambda doc: doc["signatures"].reverse())
    with pytest.raises(MisplacedSignature) as info:
        _adss_sign(rsa, send, doc_aliases=["a.pdf", "b.pdf", "c.pdf"])
    assert info.value.document == 0 and info.value.name == "a.pdf"
    assert "c.pdf" in str(info.value)


def test_adss_count_mismatch(rsa: Pki) -> None:
    send = Recorder(_adss(rsa).handle, lambda doc: doc["signatures"].pop())
    with pytest.raises(SignatureCountMismatch) as info:
        _adss_sign(rsa, send, doc_aliases=["a.pdf", "b.pdf", "c.pdf"])
    assert info.value.name == "c.pdf" and info.value.document == 2
    assert "2 signatures returned for 3 documents" in str(info.value)


def test_adss_wrong_length(p256: Pki) -> None:
    def cut(doc: dict[str, Any]) -> None:
        sig = ck.encoding.b64decode(doc["signatures"][1]["signature_base64"])
        doc["signatures"][1]["signature_base64"] = ck.encoding.b64encode(sig[:-3])

    with pytest.raises(SignatureLengthError) as info:
        _adss_sign(p256, Recorder(_adss(p256).handle, cut))
    assert info.value.document == 1 and info.value.name == "document 1"


def test_adss_answers_for_another_certificate(rsa: Pki) -> None:
    other = make_pki("rsa2048", label="documents-other")
    with pytest.raises(ForeignSignature) as info:
        _adss_sign(rsa, Recorder(_adss(other).handle))
    assert "another certificate" in str(info.value)


def test_adss_one_bad_signature(rsa: Pki) -> None:
    other_key = make_key("rsa2048", "documents-other-one")

    def replace(doc: dict[str, Any]) -> None:
        h = ck.hash_to_sign(b"unrelated")
        doc["signatures"][2]["signature_base64"] = ck.encoding.b64encode(
            ck.sign_digest(other_key, h.digest, h.algorithm)
        )

    with pytest.raises(DocumentSigningError) as info:
        _adss_sign(rsa, Recorder(_adss(rsa).handle, replace))
    assert type(info.value) is DocumentSigningError and info.value.document == 2


def test_refused_before_anything_is_sent(rsa: Pki, tmp_path: Path) -> None:
    send = Recorder(_adss(rsa).handle)
    enc_only = make_cert(
        name("encryption only"),
        rsa.leaf_key,
        rsa.intermediate,
        rsa.intermediate_key,
        key_usage={"digital_signature": False, "content_commitment": False, "key_encipherment": True},
    )
    with pytest.raises(PolicyViolation):
        adss.sign_documents(DOCS, send, certificate=enc_only, profile_id="p", cert_alias="signer", token=TOKEN)
    with pytest.raises(ck.UnsupportedAlgorithm):
        _adss_sign(rsa, send, hash="sha1")
    with pytest.raises(InputError, match=r"documents\[1\]"):
        _adss_sign(rsa, send, [b"x", "a str is ambiguous"])
    with pytest.raises(InputError, match=r"missing\.bin"):
        _adss_sign(rsa, send, [tmp_path / "missing.bin"])
    with pytest.raises(InputError, match="documents"):
        _adss_sign(rsa, send, [])
    assert send.requests == []
    with pytest.raises(InputError, match="send"):
        _adss_sign(rsa, lambda request: "not an answer")


def test_both_vendors_take_the_same_document_options(rsa: Pki) -> None:
    """adss.sign_documents and csc.sign_documents share DocumentOptions: the same keywords make the
    same CMS (attached here), and a misspelt one is a TypeError before anything is sent."""
    assert adss.DocumentOptions is csc.DocumentOptions
    options: dict[str, Any] = {"detached": False, "hash": "sha384", "doc_aliases": ["one", "two"]}
    by_adss = _adss_sign(rsa, Recorder(_adss(rsa).handle), [b"one", b"two"], **options)
    send = Recorder(_csc(rsa, multisign=10).handle)
    by_csc = csc.sign_documents(
        [b"one", b"two"], send, credential_id="cred", access_token="tok", sad="sad-value", certificate=rsa.leaf,
        chain=rsa.chain,
        multisign=10, **options,
    )
    for signed in (by_adss, by_csc):
        results = [ck.cms_verify(cms, trusted_signers=[rsa.leaf]) for cms in signed]
        assert [r.content for r in results] == [b"one", b"two"]
        assert {r.digest_algorithm.name for r in results} == {"sha384"} and not any(r.detached for r in results)
    quiet = Recorder(_adss(rsa).handle)
    with pytest.raises(InputError) as err:  # an unknown option name, named with the known ones
        _adss_sign(rsa, quiet, signing_tme=None)
    assert err.value.field == "signing_tme" and "sign_documents" in err.value.rule and "signing_time" in err.value.rule
    with pytest.raises(InputError) as err:
        csc.sign_documents(DOCS, quiet, credential_id="cred", certificate=rsa.leaf, multisign=10, detatched=True)
    assert err.value.field == "detatched" and "detached" in err.value.rule
    assert quiet.requests == []


def test_adss_error_answer_is_typed(rsa: Pki) -> None:
    service = adss.EmbeddedSigner(KeyBundle(rsa.leaf_key, rsa.leaf), cert_alias="other-alias")
    with pytest.raises(adss.AdssError) as info:
        _adss_sign(rsa, Recorder(service.handle))
    assert info.value.code == "60030"


# --------------------------------------------------------------------------- CSC


def _csc(pki: Pki, **options: Any) -> csc.EmbeddedCscSigner:
    # The embedded service signs only with a SAD (one it issued, or this configured one).
    options.setdefault("sad", "sad-value")
    return csc.EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="cred", **options)


@pytest.mark.parametrize(("kind", "scheme"), [("rsa2048", None), ("rsa2048", "pss"), ("p256", None)])
def test_csc_split_by_multisign(kind: str, scheme: str | None) -> None:
    pki = make_pki(kind, label="documents")
    send = Recorder(_csc(pki, multisign=2).handle)
    docs = [b"doc %d" % i for i in range(5)]
    signed = csc.sign_documents(docs, send, credential_id="cred", access_token="tok", sad="sad-value", scheme=scheme)
    _check(pki, signed, docs)
    assert send.paths() == ["credentials/info", *["signatures/signHash"] * 3]
    sizes = [len(orjson.loads(r.body)["hashes"]) for r in send.requests[1:]]
    assert sizes == [2, 2, 1]


def test_csc_one_call_when_multisign_allows(p256: Pki) -> None:
    send = Recorder(_csc(p256, multisign=10).handle)
    signed = csc.sign_documents(
        DOCS,
        send,
        credential_id="cred",
        access_token="tok",
        sad="sad-value",
        certificate=p256.leaf,
        chain=p256.chain,
        multisign=10,
    )
    _check(p256, signed, DOCS)
    assert send.paths() == ["signatures/signHash"]


def test_csc_sad_per_call(rsa: Pki) -> None:
    seen: list[int] = []

    def sad(hashes: Any) -> str:
        seen.append(len(hashes))
        return "sad-value"

    send = Recorder(_csc(rsa, multisign=2, sad="sad-value").handle)
    _check(rsa, csc.sign_documents(DOCS, send, credential_id="cred", access_token="tok", sad=sad), DOCS)
    assert seen == [2, 1]
    with pytest.raises(csc.CscError):
        csc.sign_documents(
            DOCS, Recorder(_csc(rsa, sad="sad-value").handle), credential_id="cred", access_token="tok", sad="wrong"
        )


def test_csc_authorize_per_call_against_a_scal2_service(rsa: Pki) -> None:
    """Opt-in authorize=: each signHash call is preceded by credentials/authorize bound to exactly its
    hashes, with the PIN and a fresh OTP, against EmbeddedCscSigner with SCAL 2 (which accepts only
    the SADs it issued, each for its own hashes); the default sends no authorize call."""
    unused = {"111111", "222222"}

    def otp_once(value: str) -> bool:  # the service's OTP check: each OTP good once
        return value in unused and unused.discard(value) is None

    service = dict(scal=2, pin="4711", otp=otp_once, multisign=2, sad=None)
    send = Recorder(_csc(rsa, **service).handle)
    codes = iter(["111111", "222222"])
    authorize = csc.Authorize(pin="4711", otp=lambda: next(codes), description="three invoices")
    signed = csc.sign_documents(DOCS, send, credential_id="cred", access_token="tok", authorize=authorize)
    _check(rsa, signed, DOCS)
    calls = ["credentials/authorize", "signatures/signHash"]
    assert send.paths() == ["credentials/info", *calls, *calls]
    bodies = [orjson.loads(r.body) for r in send.requests[1:]]
    for ask, sign in zip(bodies[0::2], bodies[1::2], strict=True):
        assert ask["hashes"] == sign["hashes"] and ask["numSignatures"] == len(sign["hashes"])
        assert sign["SAD"] and ask["authData"][0] == {"id": "PIN", "value": "4711"}
    assert not unused  # both OTPs used, one per call
    assert "4711" not in repr(authorize) and "description='three invoices'" in repr(authorize)
    # the default (sad=None, no authorize) asks for no SAD: the SCAL 2 service refuses the signHash call
    send = Recorder(_csc(rsa, **service).handle)
    with pytest.raises(csc.CscInvalidSad):
        csc.sign_documents(DOCS, send, credential_id="cred", access_token="tok")
    assert "credentials/authorize" not in send.paths()
    # a wrong PIN: the authorize error, and no hash is signed
    send = Recorder(_csc(rsa, **{**service, "otp": None}).handle)
    with pytest.raises(csc.CscAuthorizationFailed) as info:
        csc.sign_documents(DOCS, send, credential_id="cred", access_token="tok", authorize=csc.Authorize(pin="0000"))
    assert "0000" not in str(info.value)
    assert send.paths() == ["credentials/info", "credentials/authorize"]
    with pytest.raises(InputError, match="not both"):
        csc.sign_documents(DOCS, send, credential_id="cred", sad="s", authorize=csc.Authorize(pin="4711"))
    with pytest.raises(InputError) as wrong:
        csc.sign_documents(DOCS, send, credential_id="cred", authorize={"pin": "4711"})  # type: ignore[arg-type]
    assert wrong.value.field == "authorize"


def test_csc_credential_for_another_certificate(rsa: Pki) -> None:
    other = make_pki("rsa2048", label="documents-other")
    send = Recorder(_csc(other).handle)
    with pytest.raises(ForeignSignature, match="another certificate"):
        csc.sign_documents(DOCS, send, credential_id="cred", access_token="tok", sad="sad-value", certificate=rsa.leaf)
    assert send.paths() == ["credentials/info"]  # no hash was sent


def test_csc_signs_with_another_key(rsa: Pki) -> None:
    other = make_pki("rsa2048", label="documents-other")
    send = Recorder(_csc(other).handle)
    with pytest.raises(ForeignSignature):
        csc.sign_documents(
            DOCS, send, credential_id="cred", access_token="tok", sad="sad-value", certificate=rsa.leaf, multisign=5
        )


def test_csc_swapped_and_missing(rsa: Pki) -> None:
    def swap(doc: dict[str, Any]) -> None:
        doc["signatures"][0], doc["signatures"][1] = doc["signatures"][1], doc["signatures"][0]

    with pytest.raises(MisplacedSignature) as info:
        csc.sign_documents(
            DOCS,
            Recorder(_csc(rsa).handle, swap),
            credential_id="cred",
            access_token="tok",
            sad="sad-value",
            doc_aliases=["a", "b", "c"],
        )
    assert info.value.name == "a" and "over the hash of b" in str(info.value)
    with pytest.raises(SignatureCountMismatch):
        csc.sign_documents(
            DOCS,
            Recorder(_csc(rsa).handle, lambda d: d["signatures"].pop()),
            credential_id="cred",
            access_token="tok",
            sad="sad-value",
        )
    with pytest.raises(SignatureLengthError):
        csc.sign_documents(
            DOCS,
            Recorder(_csc(rsa).handle, lambda d: d["signatures"].__setitem__(0, "AAAA")),
            credential_id="cred",
            access_token="tok",
            sad="sad-value",
        )


def test_errors_pickle(rsa: Pki) -> None:
    import pickle

    error = MisplacedSignature("a: swapped", document=0, name="a")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.document, again.name, str(again)) == (MisplacedSignature, 0, "a", "a: swapped")


def test_adss_declined_is_typed(rsa: Pki) -> None:
    declined = adss.build_sign_response("r-1", "DECLINED")
    with pytest.raises(adss.AdssSignDeclined):
        _adss_sign(rsa, lambda request: declined)
    pending = adss.build_sign_response("r-2", "PENDING")
    answers = iter([pending, adss.build_sign_status_response("TIMEOUT")])
    with pytest.raises(adss.AdssSignTimeout):
        _adss_sign(rsa, lambda request: next(answers), max_polls=3, poll_interval=0)
