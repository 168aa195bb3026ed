"""The one-pass multi-hash engine gives the same digests as the reference implementations."""

from __future__ import annotations

import hashlib
import io

import blake3
import pytest

from forensic_kit.errors import UsageError
from forensic_kit.hashing import CHUNK_SIZE, MultiHash, hash_bytes, parse_algos, pump


def reference(data: bytes) -> dict[str, str]:
    return {
        "md5": hashlib.md5(data).hexdigest(),
        "sha1": hashlib.sha1(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
        "sha3-256": hashlib.sha3_256(data).hexdigest(),
        "blake3": blake3.blake3(data).hexdigest(),
    }


def test_parse_algos() -> None:
    assert parse_algos(None) == ("sha256", "blake3")
    assert parse_algos("SHA256, md5,sha256") == ("sha256", "md5")
    assert parse_algos("sha3_256") == ("sha3-256",)
    with pytest.raises(UsageError, match="unknown hash algorithm 'crc32'"):
        parse_algos("crc32")


def test_empty_input_digests() -> None:
    assert hash_bytes(b"", ("sha256", "blake3")) == {
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "blake3": "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    }


@pytest.mark.parametrize("size", [0, 1, 4095, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17])
@pytest.mark.parametrize("algos", [("sha256",), ("sha256", "blake3"), tuple(reference(b"").keys())])
def test_pump_matches_reference(size: int, algos: tuple[str, ...]) -> None:
    data = bytes((i * 7 + i // 251) & 0xFF for i in range(size))
    mh = MultiHash(algos)
    copied = bytearray()
    consumers = [*mh.consumers, copied.extend]
    total = pump(io.BytesIO(data).readinto, consumers, chunk_size=CHUNK_SIZE, buffers=3)
    assert total == size
    assert bytes(copied) == data
    expected = reference(data)
    assert mh.hexdigests() == {a: expected[a] for a in algos}


def test_pump_reraises_consumer_failure() -> None:
    def broken(_: memoryview) -> None:
        raise OSError(28, "No space left on device")

    mh = MultiHash(("sha256",))
    with pytest.raises(OSError, match="No space left"):
        pump(io.BytesIO(b"x" * (3 * 1024)).readinto, [*mh.consumers, broken], chunk_size=1024)
