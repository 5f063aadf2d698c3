from __future__ import annotations

from typing import Any

import orjson

from cryptokit.report import Check, Indication, Outcome, Report, SubIndication, derive


def test_passed_when_nothing_failed() -> None:
    r = Report.from_checks([Check.passed("a"), Check.skipped("revocation", "not required")])
    assert r.ok and r.indication is Indication.TOTAL_PASSED and r.sub_indication is None


def test_final_failure_wins_over_earlier_indeterminate() -> None:
    checks = [
        Check.failed("chain", SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "no path"),
        Check.failed("digest", SubIndication.HASH_FAILURE, "mismatch"),
    ]
    assert derive(checks) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)


def test_indeterminate_takes_first_sub_indication() -> None:
    checks = [
        Check.passed("sig"),
        Check.failed("crl", SubIndication.TRY_LATER, "stale"),
        Check.failed("alg", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "sha1"),
    ]
    r = Report.from_checks(checks)
    assert not r.ok
    assert (r.indication, r.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert [c.name for c in r.failures()] == ["crl", "alg"]


def test_to_dict_is_json() -> None:
    r = Report.from_checks(
        [Check.failed("sig", SubIndication.SIG_CRYPTO_FAILURE, "bad", subject="doc[0]", raw=b"\x01")]
    )
    d = orjson.loads(orjson.dumps(r.to_dict()))
    assert d["indication"] == "TOTAL_FAILED" and d["sub_indication"] == "SIG_CRYPTO_FAILURE"
    assert d["checks"][0] == {
        "name": "sig",
        "outcome": Outcome.FAILED.value,
        "message": "bad",
        "subject": "doc[0]",
        "sub_indication": "SIG_CRYPTO_FAILURE",
        "details": {"raw": "01"},
    }


def test_errors_pickle_with_their_fields() -> None:
    import pickle

    from cryptokit import errors

    samples = [
        errors.InputError("digest", "is 3 bytes"),
        errors.VerificationFailed("bad", None),
        errors.DecryptionFailed(),
        errors.AuthenticationFailed("stale", "ts too old"),
        errors.VendorError("adss", "60055", "hash mismatch", 400),
        errors.KeyAuthOtpRequired("signer_digital", "OA03A", "otp needed", 200),
        errors.InvalidSignature("no"),
    ]
    for exc in samples:
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc) and str(again) == str(exc)
        assert vars(again) == vars(exc)


def test_every_public_report_type_reads_the_same() -> None:
    """Every public class that carries a verdict (a ``report``) is a HasReport or a Report: ``.ok``,
    ``.indication``, ``.sub_indication``, ``.checks`` and ``.to_dict()`` with those keys."""
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    import cryptokit
    from cryptokit.report import HasReport

    names = ["cryptokit"] + [
        m.name
        for m in pkgutil.walk_packages(cryptokit.__path__, "cryptokit.")
        if not any(part.startswith("_") for part in m.name.split(".")[1:])
        and m.name != "cryptokit.integrations.pyhanko"  # needs the pdf extra
    ]
    carriers = set()
    for name in names:
        module = importlib.import_module(name)
        for export in getattr(module, "__all__", ()):
            value = getattr(module, export)
            if not inspect.isclass(value) or not value.__module__.startswith("cryptokit"):
                continue
            fields = {f.name for f in dataclasses.fields(value)} if dataclasses.is_dataclass(value) else set()
            if issubclass(value, HasReport) or "report" in fields or hasattr(value, "report"):
                carriers.add(value)
    assert len(carriers) >= 8
    for cls in carriers:
        assert issubclass(cls, (HasReport, Report)), cls
        for member in ("ok", "indication", "sub_indication", "checks", "to_dict"):
            assert hasattr(cls, member), (cls, member)


def test_a_pending_report_is_the_report_its_checks_make() -> None:
    """``pending_report`` (checks built when first read) gives the verdict at once and, read in any
    way (checks, failures, to_dict, repr, equality, pickling and copying before a read, replace), the
    report ``from_checks`` makes of the same checks built; it stays frozen."""
    import copy
    import dataclasses
    import pickle

    import pytest

    from cryptokit.report import NO_DETAILS, build_check, pending_report

    items: list[Any] = [
        ("a", Outcome.PASSED, "fine", "CN=x", None, NO_DETAILS),
        Check.failed("crl", SubIndication.TRY_LATER, "stale", subject="CN=x", crls=("one",)),
        ("b", Outcome.SKIPPED, "not required", None, None, NO_DETAILS),
        ("c", Outcome.FAILED, "sha1", "CN=y", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, NO_DETAILS),
    ]
    eager = Report.from_checks([build_check(i) for i in items])
    assert (eager.indication, eager.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    reads = [
        lambda r: r.checks,
        lambda r: r.failures(),
        lambda r: r.to_dict(),
        repr,
        lambda r: pickle.loads(pickle.dumps(r)),
        copy.copy,
        copy.deepcopy,
        lambda r: dataclasses.replace(r, sub_indication=None),
    ]
    for read in reads:
        r = pending_report(items)
        assert type(r) is Report and (r.ok, r.indication, r.sub_indication) == (False, *derive(eager.checks))
        assert read(r) == read(eager)
        assert r == eager and r.checks is r.checks and r.checks == eager.checks
    r = pending_report(items)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.checks = ()  # type: ignore[misc]
    assert pending_report([]) == Report.from_checks([]) and pending_report([]).ok
