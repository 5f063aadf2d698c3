"""Wycheproof signature vectors through ``verify_message``: every file, every case.

Outcome rules: "valid" passes; "invalid" raises InvalidSignature or InputError; "acceptable" follows
the policy in cryptokit.signatures (MissingNull: refused by default, accepted with
allow_absent_null=True; anything else acceptable: refused). No other exception type, ever.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pytest

from cryptokit.errors import InputError, InvalidSignature
from cryptokit.signatures import identify_signature, load_public_key, verify_message

WYCHEPROOF = Path(__file__).resolve().parents[2] / "vectors" / "wycheproof"
PATTERNS = ("rsa_signature_*_test.json", "rsa_pss_*_test.json", "ecdsa_*_test.json", "ed25519_test.json")
FILES = sorted({p.name for pattern in PATTERNS for p in WYCHEPROOF.glob(pattern)})

# (valid, invalid, acceptable) per file, as shipped: the test fails if a file changes or goes missing.
EXPECTED: dict[str, tuple[int, int, int]] = {
    "ecdsa_secp256r1_sha256_p1363_test.json": (173, 89, 0),
    "ecdsa_secp256r1_sha256_test.json": (174, 310, 0),
    "ecdsa_secp256r1_sha512_test.json": (243, 311, 0),
    "ecdsa_secp384r1_sha256_test.json": (162, 310, 0),
    "ecdsa_secp384r1_sha384_test.json": (194, 310, 0),
    "ed25519_test.json": (88, 63, 0),
    "rsa_pss_2048_sha256_mgf1_0_test.json": (61, 42, 0),
    "rsa_pss_2048_sha256_mgf1_32_test.json": (63, 45, 0),
    "rsa_pss_2048_sha384_mgf1_48_test.json": (95, 46, 0),
    "rsa_pss_3072_sha256_mgf1_32_test.json": (63, 45, 0),
    "rsa_signature_2048_sha256_test.json": (9, 249, 1),
    "rsa_signature_2048_sha384_test.json": (7, 250, 1),
    "rsa_signature_2048_sha512_test.json": (8, 250, 1),
    "rsa_signature_3072_sha256_test.json": (8, 250, 1),
    "rsa_signature_3072_sha384_test.json": (7, 251, 1),
    "rsa_signature_3072_sha512_test.json": (8, 251, 1),
}


def _outcome(call: Any, *args: Any, **kwargs: Any) -> str:
    """'pass', 'InvalidSignature' or 'InputError'; any other exception fails the test at once."""
    try:
        call(*args, **kwargs)
    except InvalidSignature:
        return "InvalidSignature"
    except InputError:
        return "InputError"
    return "pass"


def _calls(name: str, group: dict[str, Any], key: Any, msg: bytes, sig: bytes) -> dict[str, Any]:
    """The verify_message calls to make for one case, by label; all must agree with the expectation."""
    sha = group.get("sha")
    if name.startswith("rsa_signature"):
        return {
            "pkcs1v15": lambda: verify_message(key, sig, msg, sha, scheme="pkcs1v15"),
            "auto": lambda: verify_message(key, sig, msg, sha),
        }
    if name.startswith("rsa_pss"):
        salt, mgf = group["sLen"], group["mgfSha"]
        return {"pss": lambda: verify_message(key, sig, msg, sha, scheme="pss", pss_salt_length=salt, pss_mgf_hash=mgf)}
    if name.startswith("ecdsa"):
        encoding: Literal["raw", "der"] = "raw" if "p1363" in name else "der"
        return {
            encoding: lambda: verify_message(key, sig, msg, sha, signature_encoding=encoding),
            "auto": lambda: verify_message(key, sig, msg, sha),
        }
    return {"eddsa": lambda: verify_message(key, sig, msg)}


@cache
def run_file(name: str) -> dict[str, Any]:
    """Run every case of one file; return counts and the list of violations."""
    data = json.loads((WYCHEPROOF / name).read_text())
    counts: Counter[str] = Counter()
    violations: list[str] = []
    for group in data["testGroups"]:
        key = load_public_key(bytes.fromhex(group["publicKeyDer"]))
        for case in group["tests"]:
            msg, sig = bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
            result = case["result"]
            counts[result] += 1
            for label, call in _calls(name, group, key, msg, sig).items():
                outcome = _outcome(call)
                counts[f"{result}:{outcome}"] += 1
                if result == "valid" and outcome != "pass":
                    violations.append(f"tc{case['tcId']} [{label}] valid but {outcome}: {case['comment']}")
                if result in ("invalid", "acceptable") and outcome == "pass":
                    violations.append(f"tc{case['tcId']} [{label}] {result} but accepted: {case['comment']}")
            if result == "acceptable":
                # Documented policy: only MissingNull is ever acceptable, and only with the flag.
                if case["flags"] != ["MissingNull"]:
                    violations.append(f"tc{case['tcId']} acceptable case without a policy: {case['flags']}")
                    continue
                sha = group["sha"]
                if _outcome(verify_message, key, sig, msg, sha, allow_absent_null=True) != "pass":
                    violations.append(f"tc{case['tcId']} MissingNull refused with allow_absent_null=True")
                match = identify_signature(key, sig, _digest(sha, msg), sha)
                if not (match.scheme == "pkcs1v15" and match.absent_null):
                    violations.append(f"tc{case['tcId']} identify_signature gave {match}")
                counts["acceptable:absent_null_accepted"] += 1
            elif result == "invalid" and name.startswith("rsa_signature"):
                # The permissive flag must not let any invalid case through.
                sha = group["sha"]
                if _outcome(verify_message, key, sig, msg, sha, allow_absent_null=True) == "pass":
                    violations.append(f"tc{case['tcId']} invalid but accepted with allow_absent_null")
    return {"counts": counts, "violations": violations, "number_of_tests": data["numberOfTests"]}


def _digest(sha: str, msg: bytes) -> bytes:
    from cryptokit.algorithms import hash_algorithm

    h = hash_algorithm(sha).new()
    h.update(msg)
    return bytes(h.digest())


def test_every_signature_file_is_covered() -> None:
    assert FILES == sorted(EXPECTED), "a Wycheproof signature file was added or removed: update EXPECTED"


@pytest.mark.parametrize("name", FILES)
def test_wycheproof_file(name: str) -> None:
    result = run_file(name)
    counts = result["counts"]
    valid, invalid, acceptable = EXPECTED[name]
    assert (counts["valid"], counts["invalid"], counts["acceptable"]) == (valid, invalid, acceptable)
    assert valid + invalid + acceptable == result["number_of_tests"]
    assert result["violations"] == [], "\n".join(result["violations"][:20])
    print(
        f"{name}: valid {valid} passed, invalid {invalid} refused "
        f"(InvalidSignature {counts['invalid:InvalidSignature']}, InputError {counts['invalid:InputError']} "
        f"over all call variants), acceptable {acceptable} (refused by default, accepted with the flag)"
    )


def test_wycheproof_summary(capsys: pytest.CaptureFixture[str]) -> None:
    totals: Counter[str] = Counter()
    lines = []
    for name in FILES:
        counts = run_file(name)["counts"]
        totals.update({k: counts[k] for k in ("valid", "invalid", "acceptable")})
        lines.append(
            f"{name:45} valid={counts['valid']:4} invalid={counts['invalid']:4} acceptable={counts['acceptable']}"
        )
        assert run_file(name)["violations"] == []
    expected = Counter(
        valid=sum(v for v, _, _ in EXPECTED.values()),
        invalid=sum(i for _, i, _ in EXPECTED.values()),
        acceptable=sum(a for _, _, a in EXPECTED.values()),
    )
    assert totals == expected
    with capsys.disabled():
        print("\nWycheproof signatures through verify_message:")
        for line in lines:
            print("  " + line)
        print(f"  total: {dict(totals)}")


def test_pss_valid_cases_identify_their_salt_length() -> None:
    """identify_signature reads the salt length out of every valid PSS vector."""
    for name in FILES:
        if not name.startswith("rsa_pss"):
            continue
        data = json.loads((WYCHEPROOF / name).read_text())
        for group in data["testGroups"]:
            if group["mgfSha"] != group["sha"]:
                continue
            key = load_public_key(bytes.fromhex(group["publicKeyDer"]))
            for case in group["tests"]:
                if case["result"] != "valid":
                    continue
                msg, sig = bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
                match = identify_signature(key, sig, _digest(group["sha"], msg), group["sha"])
                assert (match.scheme, match.pss_salt_length) == ("pss", group["sLen"]), (name, case["tcId"])
                verify_message(key, sig, msg, group["sha"], scheme="pss", pss_salt_length="auto")
