"""RFC 9162 Merkle hashing: reference vectors, every position of trees of 1..64 leaves, forgeries."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensic_kit.manifest import merkle

# The test leaves and roots used by the Certificate Transparency reference implementations.
CT_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
             bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _mth(d: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 written out recursively (the definition, independent of the streaming code)."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def test_ct_reference_roots() -> None:
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()
    for n in range(1, 9):
        assert merkle.root_of(merkle.leaf_hash(x) for x in CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]


def _leaves(n: int) -> tuple[list[bytes], list[bytes]]:
    data = [f"record {i}".encode() for i in range(n)]
    salts = [merkle.derive_salt(b"seed", i) for i in range(n)]
    return data, [merkle.salted_leaf_hash(s, d) for s, d in zip(salts, data)]


@pytest.mark.parametrize("n", range(1, 65))
def test_every_position_and_forgeries(n: int) -> None:
    data, leaves = _leaves(n)
    root = merkle.root_of(leaves)
    assert root == _mth([merkle.derive_salt(b"seed", i) + d for i, d in enumerate(data)])
    for i in range(n):
        proof = merkle.inclusion_proof(leaves, i)
        assert merkle.verify_inclusion(leaves[i], i, n, proof, root)
        # forged: another leaf at this position, wrong index, wrong size, tampered/extra/missing sibling
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), i, n, proof, root)
        if n > 1:
            assert not merkle.verify_inclusion(leaves[(i + 1) % n], i, n, proof, root)
        if n > 1:
            assert not merkle.verify_inclusion(leaves[i], (i + 1) % n, n, proof, root)
            bad = list(proof)
            bad[len(bad) // 2] = bytes(32)
            assert not merkle.verify_inclusion(leaves[i], i, n, bad, root)
            assert not merkle.verify_inclusion(leaves[i], i, n, proof[:-1], root)
        # the proof does not lead to the root of a bigger tree that holds the same leaves
        _d2, bigger = _leaves(n + 1)
        assert not merkle.verify_inclusion(leaves[i], i, n + 1, proof, merkle.root_of(bigger))
        assert not merkle.verify_inclusion(leaves[i], i, n, proof + [bytes(32)], root)
        assert not merkle.verify_inclusion(leaves[i], i, n, proof, bytes(32))
        assert not merkle.verify_inclusion(leaves[i], n, n, proof, root)
        assert not merkle.verify_inclusion(leaves[i], -1, n, proof, root)
        # an unsalted leaf (the bare record) is not the leaf
        assert not merkle.verify_inclusion(merkle.leaf_hash(data[i]), i, n, proof, root)


def test_single_leaf_tree_proof_is_empty() -> None:
    _d, leaves = _leaves(1)
    assert merkle.inclusion_proof(leaves, 0) == []
    assert merkle.verify_inclusion(leaves[0], 0, 1, [], leaves[0])
    with pytest.raises(IndexError):
        merkle.inclusion_proof(leaves, 1)


def test_salt_hides_content() -> None:
    # same record bytes, different salts: unrelated leaf hashes
    a = merkle.salted_leaf_hash(merkle.derive_salt(b"k", 0), b"same")
    b = merkle.salted_leaf_hash(merkle.derive_salt(b"k", 1), b"same")
    assert a != b and merkle.leaf_hash(b"same") not in (a, b)
    with pytest.raises(ValueError):
        merkle.salted_leaf_hash(b"short", b"x")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=20), min_size=1, max_size=200), st.data())
def test_streaming_root_equals_definition(items: list[bytes], data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(x) for x in items]
    root = merkle.root_of(leaves)
    assert root == _mth(items)
    i = data.draw(st.integers(0, len(items) - 1))
    assert merkle.verify_inclusion(leaves[i], i, len(items), merkle.inclusion_proof(leaves, i), root)
