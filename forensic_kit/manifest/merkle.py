"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing over salted leaves.

``leaf_hash = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left || right)``, the tree of n
leaves splits at k = the largest power of two < n (RFC 9162 §2.1.1). fkit's leaf data is
``salt (32 bytes) || record line bytes`` so that a sibling hash in an inclusion proof cannot be
confirmed by guessing a record's content.

The root is computed streaming (a stack of at most log2(n) subtree hashes), so a million leaves
cost a few kilobytes. Inclusion proofs follow RFC 9162 §2.1.3.1; ``verify_inclusion`` is the
§2.1.3.2 algorithm, and rejects every malformed or forged path.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
SALT_SIZE = 32
ALGORITHM = "rfc9162-sha256"


def empty_root() -> bytes:
    """MTH({}) = SHA-256 of the empty string."""
    return hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def salted_leaf_hash(salt: bytes, record_line: bytes) -> bytes:
    """The leaf hash of one record: SHA-256(0x00 || salt || line)."""
    if len(salt) != SALT_SIZE:
        raise ValueError("a leaf salt must be 32 bytes")
    return leaf_hash(salt + record_line)


def derive_salt(seed: bytes, index: int) -> bytes:
    """Per-record salt from a secret seed: HMAC-SHA256(seed, "fkit-leaf-salt" || uint64 index)."""
    return hmac.new(seed, b"fkit-leaf-salt" + index.to_bytes(8, "big"), hashlib.sha256).digest()


class RootBuilder:
    """Streaming MTH: feed leaf hashes in order, read ``root()`` at the end."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, hash), sizes strictly decreasing
        self.size = 0

    def add_leaf_hash(self, h: bytes) -> None:
        """Append one leaf (already hashed with :func:`leaf_hash`)."""
        size, node = 1, h
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            node = node_hash(left, node)
            size += left_size
        self._stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves added so far (RFC 9162 split rule)."""
        if not self._stack:
            return empty_root()
        node = self._stack[-1][1]
        for _size, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over an iterable of leaf hashes."""
    b = RootBuilder()
    for h in leaf_hashes:
        b.add_leaf_hash(h)
    return b.root()


def _largest_pow2_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _subtree_root(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    b = RootBuilder()
    for i in range(lo, hi):
        b.add_leaf_hash(leaves[i])
    return b.root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1, leaf first, given all leaf hashes."""
    n = len(leaves)
    if not 0 <= index < n:
        raise IndexError("leaf index out of range")
    path: list[bytes] = []
    lo, hi, m = 0, n, index
    while hi - lo > 1:
        k = _largest_pow2_below(hi - lo)
        if m < k:
            path.append(_subtree_root(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_subtree_root(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` place leaf hash ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < tree_size or len(leaf) != HASH_SIZE or len(root) != HASH_SIZE:
        return False
    fn, sn = index, tree_size - 1
    r = leaf
    for p in proof:
        if len(p) != HASH_SIZE or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)
