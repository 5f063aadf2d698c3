"""Certification path building from an unordered bag of certificates.

Candidates are found by name (RFC 5280 section 7.1 comparison, see :mod:`.names`); where the
child's authorityKeyIdentifier and the candidate's subjectKeyIdentifier are both present and
differ, the candidate is tried last rather than dropped (key identifiers are hints, not proofs).
Signatures are not verified here: the validator checks every path it is given and keeps the first
that passes, so a broken signature is reported as such instead of as "no chain".

Bounds: a path never exceeds ``max_depth`` certificates (anchor included, self-issued ones counted:
RFC 5280 6.1 counts every certificate of the path; only pathLenConstraint skips self-issued ones;
``cut`` says when the bound stopped a path that had a further issuer), never repeats a
certificate, and the search stops after ``max_candidates`` complete paths or ``16 * max_candidates``
expanded nodes, so cross-signed meshes cannot make it run away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from cryptography import x509

from .name_constraints import NameKey, name_key

__all__ = ["PathBuilder", "key_ids"]


def key_ids(cert: x509.Certificate) -> tuple[bytes | None, bytes | None]:
    """(subjectKeyIdentifier, authorityKeyIdentifier.key_identifier), each None when absent."""
    ski = aki = None
    for ext in cert.extensions:
        value = ext.value
        if isinstance(value, x509.SubjectKeyIdentifier):
            ski = value.digest
        elif isinstance(value, x509.AuthorityKeyIdentifier):
            aki = value.key_identifier
    return ski, aki


class PathBuilder:
    """Finds paths leaf -> ... -> anchor. One builder per validation (it memoises per-certificate facts)."""

    __slots__ = (
        "_anchor_by_subject",
        "_by_subject",
        "_ids",
        "_keys",
        "anchors",
        "cut",
        "expanded",
        "longest",
        "max_candidates",
        "max_depth",
        "pool",
    )

    def __init__(
        self,
        anchors: Sequence[x509.Certificate],
        pool: Sequence[x509.Certificate],
        max_depth: int,
        max_candidates: int,
        keys: Callable[[x509.Certificate], tuple[NameKey, NameKey]] | None = None,
    ) -> None:
        """``keys`` gives a certificate's (subject, issuer) :func:`name_key` when the caller has them
        already; the certificates of ``anchors`` and ``pool`` must be distinct objects (certificates
        are compared by identity along a path)."""
        if keys is None:
            keys = _name_keys
        self._keys = keys
        self.anchors, self.pool, self.max_depth, self.max_candidates = anchors, pool, max_depth, max_candidates
        self.expanded = 0
        #: True when ``max_depth`` stopped a path that had a further issuer candidate by name
        self.cut = False
        self.longest: tuple[x509.Certificate, ...] = ()
        self._by_subject: dict[object, list[x509.Certificate]] = {}
        self._anchor_by_subject: dict[object, list[x509.Certificate]] = {}
        self._ids: dict[x509.Certificate, tuple[bytes | None, bytes | None]] = {}
        for a in anchors:
            self._anchor_by_subject.setdefault(keys(a)[0], []).append(a)
        for c in pool:
            self._by_subject.setdefault(keys(c)[0], []).append(c)

    def ids(self, cert: x509.Certificate) -> tuple[bytes | None, bytes | None]:
        found = self._ids.get(cert)
        if found is None:
            found = self._ids[cert] = key_ids(cert)
        return found

    def _order(self, child: x509.Certificate, candidates: list[x509.Certificate]) -> list[x509.Certificate]:
        if len(candidates) < 2:
            return candidates
        aki = self.ids(child)[1]
        if aki is None:
            return candidates
        return sorted(candidates, key=lambda c: self.ids(c)[0] not in (None, aki))

    def paths(self, leaf: x509.Certificate) -> Iterator[tuple[x509.Certificate, ...]]:
        """Complete paths (leaf first, anchor last), best guesses first."""
        if id(leaf) in map(id, self.anchors):
            yield (leaf,)
            return
        found = 0
        limit_nodes = 16 * self.max_candidates
        stack: list[tuple[x509.Certificate, ...]] = [(leaf,)]
        self.longest = (leaf,)
        while stack:
            path = stack.pop()
            self.expanded += 1
            if self.expanded > limit_nodes:
                return
            if len(path) > len(self.longest):
                self.longest = path
            tip = path[-1]
            issuer_key = self._keys(tip)[1]
            if len(path) < self.max_depth:
                for anchor in self._order(tip, self._anchor_by_subject.get(issuer_key, [])):
                    if _absent(anchor, path):
                        yield (*path, anchor)
                        found += 1
                        if found >= self.max_candidates:
                            return
            elif any(_absent(a, path) for a in self._anchor_by_subject.get(issuer_key, ())):
                self.cut = True
            if len(path) + 1 < self.max_depth:
                nexts = [c for c in self._order(tip, self._by_subject.get(issuer_key, [])) if _absent(c, path)]
                # push in reverse so the best candidate is expanded first (depth-first)
                for c in reversed(nexts):
                    stack.append((*path, c))
            elif any(_absent(c, path) for c in self._by_subject.get(issuer_key, ())):
                self.cut = True


def _name_keys(cert: x509.Certificate) -> tuple[NameKey, NameKey]:
    return name_key(cert.subject), name_key(cert.issuer)


def _absent(cert: x509.Certificate, path: tuple[x509.Certificate, ...]) -> bool:
    """``cert`` is not on ``path`` (by identity: equality re-encodes both certificates)."""
    return id(cert) not in map(id, path)  # ints compared in C; the path holds its certificates alive
