"""Certificate policy processing: RFC 5280 sections 6.1.2 to 6.1.5 (the ``valid_policy_tree``).

:func:`check_policies` runs the RFC algorithm over a path (leaf first, anchor last; the anchor is
trust input and is not processed, 6.1.1 (d)) with the four inputs of 6.1.1 taken from
:class:`~cryptokit.chain.policy.ChainPolicy` (``user_initial_policy_set``,
``initial_explicit_policy``, ``initial_policy_mapping_inhibit``, ``initial_any_policy_inhibit``):
certificatePolicies (with their qualifiers), policyMappings (a mapping to or from anyPolicy is
refused, 6.1.4 (a)), policyConstraints (requireExplicitPolicy, inhibitPolicyMapping) and
inhibitAnyPolicy, with the ``explicit_policy``, ``policy_mapping`` and ``inhibit_anyPolicy``
counters (not decremented for self-issued certificates, 6.1.4 (h)). It returns one check:

- ``certificate_policies`` passed, with the authorities-constrained and user-constrained policy
  sets (PKITS's names; in the trust anchor's policy domain: a policy mapped on the way down is
  reported as the policy the user asked for) and the qualifiers of the leaf's surviving policies;
- ``certificate_policies`` failed (CHAIN_CONSTRAINTS_FAILURE) on the certificate where the tree
  became empty while an explicit policy is required, or that maps to or from anyPolicy;
- ``policy_tree_bound`` failed (CHAIN_CONSTRAINTS_FAILURE) when the tree would grow past
  :data:`MAX_POLICY_NODES` nodes: crafted chains whose mappings multiply the nodes at each level
  make the RFC tree grow exponentially (OpenSSL CVE-2023-0464, "excessive resource use verifying
  X.509 policy constraints"; OpenSSL's fix caps the tree at 1000 nodes, which this cap follows,
  BoringSSL/Chromium and Go moved to the policy graph of RFC 9618). Each node is created at most
  once and every step is linear in the nodes, so the cost is bounded by the cap.

policyMappings has no extension class in cryptography (it is an UnrecognizedExtension there): it is
parsed with asn1crypto, which the chain code already depends on. A path without any policy
extension and default options takes a short way (the tree becomes NULL at the first certificate
without certificatePolicies and ``explicit_policy`` cannot reach 0); its sets are then empty.

What this does not do: display user notices (they are reported as text, not interpreted), or
check that a CPS URI is reachable.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from ..report import Check, CheckSpec, Outcome, SubIndication
from .policy import ANY_POLICY, ChainPolicy

__all__ = [
    "MAX_POLICY_NODES",
    "NO_POLICY_FACTS",
    "POLICY_EXTENSIONS",
    "PolicyFacts",
    "check_policies",
    "policy_facts",
]

#: Most nodes the valid_policy_tree may ever hold for one path: every node created counts, and so
#: does every policy a mapping puts in a node's expected_policy_set.
MAX_POLICY_NODES = 1000

_CHAIN = SubIndication.CHAIN_CONSTRAINTS_FAILURE
#: the extensions policy processing reads (the validator recognises them as known critical extensions)
_E = ExtensionOID
POLICY_EXTENSIONS = frozenset(
    {_E.CERTIFICATE_POLICIES, _E.POLICY_MAPPINGS, _E.POLICY_CONSTRAINTS, _E.INHIBIT_ANY_POLICY}
)


class _CertFacts(Protocol):
    """What the validator already knows about a certificate."""

    @property
    def subject(self) -> str: ...
    @property
    def self_issued(self) -> bool: ...
    @property
    def policy(self) -> PolicyFacts: ...


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """The policy extensions of one certificate. ``policies`` is None when certificatePolicies is
    absent; each entry is (policy OID, qualifiers as text). ``error`` names an extension that cannot
    be read (the path then fails)."""

    policies: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    mappings: tuple[tuple[str, str], ...] = ()
    #: policyConstraints: (requireExplicitPolicy, inhibitPolicyMapping), each None when absent
    constraints: tuple[int | None, int | None] = (None, None)
    inhibit_any_policy: int | None = None
    error: str | None = None

    @property
    def any(self) -> bool:
        """True when the certificate carries at least one policy extension (or one that cannot be read)."""
        return self is not NO_POLICY_FACTS and self != NO_POLICY_FACTS


#: a certificate without policy extensions
NO_POLICY_FACTS = PolicyFacts()


def _qualifier_text(q: object) -> str:
    if isinstance(q, str):
        return q  # a CPS pointer (URI)
    if isinstance(q, x509.UserNotice):
        parts: list[str] = []
        if q.notice_reference is not None:
            numbers = ",".join(str(n) for n in q.notice_reference.notice_numbers)
            parts.append(f"noticeRef {q.notice_reference.organization or ''} #{numbers}")
        if q.explicit_text is not None:
            parts.append(q.explicit_text)
        return "userNotice: " + "; ".join(parts)
    return str(q)


def _mappings(der: bytes) -> tuple[tuple[str, str], ...]:
    """policyMappings (RFC 5280 4.2.1.5), parsed with asn1crypto (cryptography has no class for it)."""
    from asn1crypto import x509 as a_x509

    parsed = a_x509.PolicyMappings.load(der, strict=True)
    return tuple((m["issuer_domain_policy"].dotted, m["subject_domain_policy"].dotted) for m in parsed)


def policy_facts(cert: x509.Certificate) -> PolicyFacts:
    """The policy extensions of ``cert`` (the validator keeps them in its memoised per-certificate facts)."""
    try:
        extensions = [e for e in cert.extensions if e.oid in POLICY_EXTENSIONS]
    except (ValueError, TypeError):
        return PolicyFacts(error="extensions unparsable")
    if not extensions:
        return NO_POLICY_FACTS
    policies: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    mappings: tuple[tuple[str, str], ...] = ()
    rep = ipm = iap = None
    try:
        for ext in extensions:
            v = ext.value
            if isinstance(v, x509.CertificatePolicies):
                seen: dict[str, tuple[str, ...]] = {}
                for info in v:
                    oid = info.policy_identifier.dotted_string
                    quals = tuple(_qualifier_text(q) for q in info.policy_qualifiers or ())
                    seen.setdefault(oid, quals)  # an OID listed twice (4.2.1.4 forbids it): the first counts
                policies = tuple(seen.items())
            elif isinstance(v, x509.PolicyConstraints):
                rep, ipm = v.require_explicit_policy, v.inhibit_policy_mapping
            elif isinstance(v, x509.InhibitAnyPolicy):
                iap = v.skip_certs
            elif isinstance(v, x509.UnrecognizedExtension) and ext.oid == ExtensionOID.POLICY_MAPPINGS:
                mappings = _mappings(v.value)
    except Exception as exc:  # asn1crypto raises ValueError/TypeError subclasses of its own
        return PolicyFacts(error=f"policy extension unparsable ({type(exc).__name__})")
    return PolicyFacts(policies, mappings, (rep, ipm), iap)


# --------------------------------------------------------------------------- the tree


class _Node:
    __slots__ = ("expected", "parent", "policy", "qualifiers")

    def __init__(
        self, policy: str, qualifiers: tuple[str, ...], expected: frozenset[str], parent: _Node | None
    ) -> None:
        self.policy, self.qualifiers, self.expected, self.parent = policy, qualifiers, expected, parent


class _TooBig(Exception):
    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


class _Tree:
    """The valid_policy_tree as levels of nodes with parent links (depth 0 is the root)."""

    def __init__(self) -> None:
        root = _Node(ANY_POLICY, (), frozenset({ANY_POLICY}), None)
        self.levels: list[list[_Node]] = [[root]]
        self.created = 1
        self.at = 0  # the certificate being processed (RFC numbering), named when the bound is hit

    def add(self, level: list[_Node], node: _Node) -> None:
        self.charge(1)
        level.append(node)

    def charge(self, count: int) -> None:
        """Count ``count`` nodes (or expected_policy_set entries given by a mapping) against the bound."""
        self.created += count
        if self.created > MAX_POLICY_NODES:
            raise _TooBig(self.at)

    def prune(self, deepest: int) -> None:
        """Delete nodes of depth < ``deepest`` without children, bottom-up (6.1.3 (d)(3))."""
        for d in range(deepest - 1, -1, -1):
            parents = {id(c.parent) for c in self.levels[d + 1]}
            self.levels[d] = [p for p in self.levels[d] if id(p) in parents]

    def drop_orphans(self, start: int) -> None:
        """Delete, top-down from ``start``, nodes whose parent was deleted."""
        for d in range(start, len(self.levels)):
            alive = {id(p) for p in self.levels[d - 1]}
            self.levels[d] = [c for c in self.levels[d] if id(c.parent) in alive]

    @property
    def null(self) -> bool:
        return not self.levels[0]


def _top_policy(node: _Node) -> str:
    """The policy in the trust anchor's domain a node descends from: the valid_policy of its
    ancestor-or-self whose parent is anyPolicy (the valid_policy_node_set of 6.1.5 (g)(iii))."""
    while node.parent is not None and node.parent.policy != ANY_POLICY:
        node = node.parent
    return node.policy


def _leaf_sets(tree: _Tree, n: int) -> frozenset[str]:
    if tree.null or len(tree.levels) <= n:
        return frozenset()
    return frozenset(_top_policy(node) for node in tree.levels[n])


# --------------------------------------------------------------------------- the algorithm


@dataclass(slots=True)
class _State:
    explicit_policy: int
    policy_mapping: int
    inhibit_any: int
    emptied_at: int | None = None  # RFC index i (1 = issued by the anchor) where the tree became NULL


def check_policies(
    path: Sequence[x509.Certificate], options: ChainPolicy, facts: Callable[[x509.Certificate], _CertFacts]
) -> tuple[int, Check | CheckSpec] | None:
    """Run RFC 5280 6.1.2-6.1.5 policy processing on ``path`` (leaf first, anchor last) and return
    (index in ``path`` of the certificate the check is about, the check: a passed one as a
    :data:`~cryptokit.report.CheckSpec`, for a report built by :func:`~cryptokit.report.pending_report`);
    None for a path of the anchor alone (nothing to process). ``facts`` gives each certificate's
    subject text and whether it is self-issued, and its :class:`PolicyFacts`."""
    certs = path[-2::-1]  # RFC order: certs[0] is certificate 1, issued by the anchor
    n = len(certs)
    if n == 0:
        return None
    cfacts = [facts(c) for c in certs]
    pfacts = [f.policy for f in cfacts]
    user_set = options.user_initial_policy_set
    defaults = (
        ANY_POLICY in user_set
        and not options.initial_explicit_policy
        and not options.initial_policy_mapping_inhibit
        and not options.initial_any_policy_inhibit
    )
    if defaults and pfacts.count(NO_POLICY_FACTS) == n:
        # no policy extension and default inputs: the tree is NULL after certificate 1 and
        # explicit_policy ends at 1, so processing succeeds with empty sets
        return 0, _passed_empty(cfacts[-1].subject)
    flags = tuple([f.self_issued for f in cfacts])
    key = (*map(id, pfacts), flags, user_set, *_options(options))
    hit = _PASSED.get(key)  # facts with an error are never kept
    if hit is not None and all(map(operator.is_, hit[0], pfacts)):
        return 0, _passed(hit[1], cfacts[-1].subject)

    def subject(i: int) -> str:
        return cfacts[i - 1].subject

    for i, pf in enumerate(pfacts, start=1):
        if pf.error is not None:
            return n - i, Check.failed("certificate_policies", _CHAIN, pf.error, subject=subject(i), position=i)
    try:
        result = _process(pfacts, flags, options, subject)
    except _TooBig as exc:
        msg = (
            f"the valid_policy_tree would exceed {MAX_POLICY_NODES} nodes at certificate {exc.at} of {n} from "
            "the trust anchor (policies and mappings that multiply the tree, as in CVE-2023-0464): path refused"
        )
        check = Check.failed(
            "policy_tree_bound", _CHAIN, msg, subject=subject(exc.at), position=exc.at, max_nodes=MAX_POLICY_NODES
        )
        return n - exc.at, check
    if isinstance(result, _Passed):
        if len(_PASSED) >= _MAX_PASSED:
            _PASSED.clear()
        _PASSED[key] = (tuple(pfacts), result)  # the facts stay referenced: their ids stay theirs
        return 0, _passed(result, subject(n))
    return result


@dataclass(frozen=True, slots=True)
class _Passed:
    """What a passed ``certificate_policies`` check says, without its subject (the leaf's): the same
    for every path whose certificates carry the same policy facts (and self-issued flags), under the
    same four inputs."""

    message: str
    #: the details with the qualifiers left to fill: {"qualifiers": None, the three policy sets}
    details: dict[str, object]
    #: (policy, its qualifiers) of the leaf's surviving policies that have qualifiers
    qualifiers: tuple[tuple[str, tuple[str, ...]], ...]


def _passed(result: _Passed, subject: str) -> CheckSpec:
    """The passed check for ``subject``; its details are built anew (the qualifiers are lists)."""
    details = result.details.copy()
    details["qualifiers"] = {oid: list(quals) for oid, quals in result.qualifiers}
    return ("certificate_policies", _PASSED_OUTCOME, result.message, subject, None, MappingProxyType(details))


def _options(options: ChainPolicy) -> tuple[bool, bool, bool]:
    return options.initial_explicit_policy, options.initial_policy_mapping_inhibit, options.initial_any_policy_inhibit


#: passed results of :func:`_process` by (id of each certificate's PolicyFacts, self-issued flags, the
#: four inputs): the facts are shared per extension value and per certificate, so a new leaf with a
#: known certificatePolicies value on a known path costs a lookup. Failures are not kept (their
#: messages name certificates).
_PASSED: dict[tuple[object, ...], tuple[tuple[PolicyFacts, ...], _Passed]] = {}
_MAX_PASSED = 1024


_EMPTY_DETAILS = MappingProxyType(
    {"authority_constrained_policies": (), "user_constrained_policies": (), "explicit_policy_indicator": False}
)


_EMPTY_MESSAGE = "no certificate policies in the path; none required"
_PASSED_OUTCOME = Outcome.PASSED


def _passed_empty(subject: str) -> CheckSpec:
    return ("certificate_policies", _PASSED_OUTCOME, _EMPTY_MESSAGE, subject, None, _EMPTY_DETAILS)


def _process(
    pfacts: list[PolicyFacts],
    self_issued_flags: Sequence[bool],
    options: ChainPolicy,
    subject: Callable[[int], str],
) -> tuple[int, Check] | _Passed:
    """The algorithm: a failure as (index in the path, check), or what the passed check says."""
    n = len(pfacts)
    st = _State(
        explicit_policy=0 if options.initial_explicit_policy else n + 1,
        policy_mapping=0 if options.initial_policy_mapping_inhibit else n + 1,
        inhibit_any=0 if options.initial_any_policy_inhibit else n + 1,
    )
    tree = _Tree()
    explicit_zero_at: int | None = 0 if options.initial_explicit_policy else None

    def failed(i: int, msg: str, **details: object) -> tuple[int, Check]:
        return n - i, Check.failed("certificate_policies", _CHAIN, msg, subject=subject(i), position=i, **details)

    for i in range(1, n + 1):
        tree.at = i
        pf = pfacts[i - 1]
        self_issued = self_issued_flags[i - 1]
        # 6.1.3 (d) / (e)
        if pf.policies is not None and not tree.null:
            _add_level(tree, i, pf.policies, st.inhibit_any > 0 or (i < n and self_issued))
            if tree.null:
                st.emptied_at = i
        elif not tree.null:
            tree.levels = [[]]
            st.emptied_at = i
        # 6.1.3 (f)
        if st.explicit_policy <= 0 and tree.null:
            where = st.emptied_at or i
            return failed(where, _empty_message(where, n, explicit_zero_at, subject), **_EMPTY_SETS)
        if i == n:
            break
        # 6.1.4 (a), (b)
        if pf.mappings:
            bad = [m for m in pf.mappings if ANY_POLICY in m]
            if bad:
                return failed(i, "policyMappings maps to or from anyPolicy (RFC 5280 6.1.4 (a))")
            if not tree.null:
                _map(tree, i, pf, st.policy_mapping > 0)
                if tree.null:
                    st.emptied_at = i
        # 6.1.4 (h), (i), (j)
        if not self_issued:
            if st.explicit_policy:
                st.explicit_policy -= 1
            if st.policy_mapping:
                st.policy_mapping -= 1
            if st.inhibit_any:
                st.inhibit_any -= 1
        rep, ipm = pf.constraints
        if rep is not None and rep < st.explicit_policy:
            st.explicit_policy = rep
        if ipm is not None and ipm < st.policy_mapping:
            st.policy_mapping = ipm
        if pf.inhibit_any_policy is not None and pf.inhibit_any_policy < st.inhibit_any:
            st.inhibit_any = pf.inhibit_any_policy
        if st.explicit_policy == 0 and explicit_zero_at is None:
            explicit_zero_at = i
    # 6.1.5 (a), (b)
    if st.explicit_policy:
        st.explicit_policy -= 1
    if pfacts[-1].constraints[0] == 0:
        st.explicit_policy = 0
    if st.explicit_policy == 0 and explicit_zero_at is None:
        explicit_zero_at = n
    tree.at = n
    authority = _leaf_sets(tree, n)
    was_null = tree.null
    _intersect(tree, n, options.user_initial_policy_set)
    if tree.null and not was_null:
        st.emptied_at = n
    user = _leaf_sets(tree, n)
    sets = {
        "authority_constrained_policies": tuple(sorted(authority)),
        "user_constrained_policies": tuple(sorted(user)),
        "explicit_policy_indicator": st.explicit_policy == 0,
    }
    if st.explicit_policy <= 0 and tree.null:
        where = st.emptied_at or n
        return failed(where, _empty_message(where, n, explicit_zero_at, subject), **sets)
    quals = {node.policy: node.qualifiers for node in tree.levels[n] if node.qualifiers} if not tree.null else {}
    if user:
        msg = "valid policies: " + ", ".join(sorted(user))
    else:
        msg = "no valid policy for the path; none required"
    return _Passed(msg, {"qualifiers": None, **sets}, tuple(quals.items()))


_EMPTY_SETS: dict[str, object] = {
    "authority_constrained_policies": (),
    "user_constrained_policies": (),
    "explicit_policy_indicator": True,
}


def _empty_message(where: int, n: int, explicit_zero_at: int | None, subject: Callable[[int], str]) -> str:
    why = (
        "initial_explicit_policy is set"
        if explicit_zero_at == 0
        else f"requireExplicitPolicy made explicit_policy reach 0 at certificate {explicit_zero_at}"
        if explicit_zero_at is not None
        else "an explicit policy is required"
    )
    return (
        f"no acceptable certificate policy: the policy tree became empty at certificate {where} of {n} "
        f"from the trust anchor ({subject(where)}) and {why} (RFC 5280 6.1.3 (f), 6.1.5 (g))"
    )


def _add_level(tree: _Tree, i: int, policies: tuple[tuple[str, tuple[str, ...]], ...], any_allowed: bool) -> None:
    """6.1.3 (d): the nodes of depth ``i`` for certificate i's certificatePolicies, then pruning."""
    parents = tree.levels[i - 1]
    level: list[_Node] = []
    by_expected: dict[str, list[_Node]] = {}
    any_parents: list[_Node] = []
    for p in parents:
        for e in p.expected:
            by_expected.setdefault(e, []).append(p)
        if p.policy == ANY_POLICY:
            any_parents.append(p)
    any_quals: tuple[str, ...] | None = None
    children: set[tuple[int, str]] = set()
    for oid, quals in policies:
        if oid == ANY_POLICY:
            any_quals = quals
            continue
        matched = by_expected.get(oid)
        for p in matched or any_parents[:1]:  # (d)(1)(i), else (ii) under the anyPolicy node
            tree.add(level, _Node(oid, quals, frozenset({oid}), p))
            children.add((id(p), oid))
    if any_quals is not None and any_allowed:  # (d)(2)
        for p in parents:
            for e in sorted(p.expected):
                if (id(p), e) not in children:
                    tree.add(level, _Node(e, any_quals, frozenset({e}), p))
    tree.levels.append(level)
    tree.prune(i)  # (d)(3)


def _map(tree: _Tree, i: int, pf: PolicyFacts, allowed: bool) -> None:
    """6.1.4 (b): apply certificate i's policyMappings to the nodes of depth ``i``."""
    mapped: dict[str, list[str]] = {}
    for issuer_policy, subject_policy in pf.mappings:
        targets = mapped.setdefault(issuer_policy, [])
        if subject_policy not in targets:
            targets.append(subject_policy)
    level = tree.levels[i]
    if allowed:  # (b)(1)
        by_policy: dict[str, list[_Node]] = {}
        for node in level:
            by_policy.setdefault(node.policy, []).append(node)
        any_node = next(iter(by_policy.get(ANY_POLICY, ())), None)
        any_quals = next((q for oid, q in pf.policies or () if oid == ANY_POLICY), ())
        for issuer_policy, targets in mapped.items():
            expected = frozenset(targets)
            if issuer_policy in by_policy:
                # a mapping to many policies makes later steps walk every entry: they count too
                tree.charge(len(expected) * len(by_policy[issuer_policy]))
                for node in by_policy[issuer_policy]:
                    node.expected = expected
            elif any_node is not None and any_node.parent is not None:
                tree.charge(len(expected))
                tree.add(level, _Node(issuer_policy, any_quals, expected, any_node.parent))
    else:  # (b)(2)
        tree.levels[i] = [node for node in level if node.policy not in mapped]
        tree.prune(i)


def _intersect(tree: _Tree, n: int, user_set: frozenset[str]) -> None:
    """6.1.5 (g): the intersection of the tree with the user-initial-policy-set."""
    if tree.null or ANY_POLICY in user_set:
        return
    node_set = [
        n_ for level in tree.levels[1:] for n_ in level if n_.parent is not None and n_.parent.policy == ANY_POLICY
    ]
    node_set_policies = {node.policy for node in node_set}
    doomed = {id(node) for node in node_set if node.policy != ANY_POLICY and node.policy not in user_set}
    if doomed:  # (g)(iii)(2): delete them and their subtrees
        for d in range(1, n + 1):
            tree.levels[d] = [node for node in tree.levels[d] if id(node) not in doomed]
        tree.drop_orphans(1)
    leaf_any = next((node for node in tree.levels[n] if node.policy == ANY_POLICY), None)
    if leaf_any is not None:  # (g)(iii)(3)
        for oid in sorted(user_set - node_set_policies):
            tree.add(tree.levels[n], _Node(oid, leaf_any.qualifiers, frozenset({oid}), leaf_any.parent))
        tree.levels[n] = [node for node in tree.levels[n] if node is not leaf_any]
    tree.prune(n)  # (g)(iii)(4)
