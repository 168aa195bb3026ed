"""One-pass multi-hash engine.

Every byte is read once and fed to every requested algorithm. With more than one consumer
(several algorithms, or algorithms plus a writer that copies the bytes) each consumer runs in its
own thread on a ring of reusable buffers, so SHA-256 and BLAKE3 use both cores instead of adding
up: ``hashlib`` and ``blake3`` release the GIL while they hash a large buffer.
"""

from __future__ import annotations

import hashlib
import mmap
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, Union

import blake3 as _blake3

from forensic_kit.errors import UsageError

DEFAULT_ALGOS: tuple[str, ...] = ("sha256", "blake3")
ALGORITHMS: tuple[str, ...] = ("md5", "sha1", "sha256", "sha512", "sha3-256", "blake3")
HEX_LENGTHS: dict[str, int] = {
    "md5": 32,
    "sha1": 40,
    "sha256": 64,
    "sha512": 128,
    "sha3-256": 64,
    "blake3": 64,
}
CHUNK_SIZE = 1 << 21  # 2 MiB: large enough to amortise thread hand-offs, small enough for cache
SMALL_FILE = 1 << 20  # at or below this, hash sequentially in the reading thread


class Hasher(Protocol):
    """What hashlib and blake3 objects have in common."""

    def update(self, data: bytes | bytearray | memoryview, /) -> object: ...

    def hexdigest(self) -> str: ...


def parse_algos(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Parse ``"sha256,blake3"`` (or a list) into a de-duplicated tuple of known algorithm names.

    Raises :class:`UsageError` for an unknown name. ``None`` or empty gives the default.
    """
    if spec is None:
        return DEFAULT_ALGOS
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names: list[str] = []
    for item in items:
        name = item.strip().lower().replace("_", "-")
        if name in ("sha3256", "sha3"):
            name = "sha3-256"
        if not name:
            continue
        if name not in ALGORITHMS:
            raise UsageError(f"unknown hash algorithm {item.strip()!r}; known: {', '.join(ALGORITHMS)}")
        if name not in names:
            names.append(name)
    return tuple(names) if names else DEFAULT_ALGOS


HasherFactory = Callable[[bytes], Hasher]

# Pre-bound constructors: ``hashlib.new(name)`` looks the algorithm up again on every call (about
# 10 µs here; hashing a 4 KB file takes about 3 µs). BLAKE3 stays single-threaded (``max_threads=1``
# is the default): parallelism comes from the caller (threads for one big file, processes for many).
_FACTORIES: dict[str, HasherFactory] = {
    "md5": hashlib.md5,
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "sha3-256": hashlib.sha3_256,
    "blake3": _blake3.blake3,
}


def hasher_factories(algos: Sequence[str]) -> tuple[HasherFactory, ...]:
    """One constructor per algorithm name: ``factory(data)`` is a hash object already fed ``data``."""
    try:
        return tuple(_FACTORIES[a] for a in algos)
    except KeyError as exc:
        raise UsageError(f"unknown hash algorithm {exc.args[0]!r}; known: {', '.join(ALGORITHMS)}") from None


def new_hasher(name: str) -> Hasher:
    """A fresh hash object for an algorithm name from :data:`ALGORITHMS`."""
    return hasher_factories((name,))[0](b"")


class MultiHash:
    """Several hash objects updated together (sequentially, in the caller's thread)."""

    def __init__(self, algos: Sequence[str]) -> None:
        self.algos = tuple(algos)
        self._hashers = [make(b"") for make in hasher_factories(self.algos)]
        self.nbytes = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Feed bytes to every algorithm."""
        for h in self._hashers:
            h.update(data)
        self.nbytes += len(data)

    @property
    def consumers(self) -> list[Callable[[memoryview], object]]:
        """One update callable per algorithm, for :func:`pump`."""
        return [h.update for h in self._hashers]

    def hexdigests(self) -> dict[str, str]:
        """``{algorithm: hex digest}`` in the requested order."""
        return {a: h.hexdigest() for a, h in zip(self.algos, self._hashers)}


ReadInto = Callable[[memoryview], int]


Buffer = Union[bytearray, mmap.mmap]


def pump(
    readinto: ReadInto,
    consumers: Sequence[Callable[[memoryview], object]],
    chunk_size: int = CHUNK_SIZE,
    buffers: int = 4,
    on_chunk: Callable[[int], None] | None = None,
    new_buffer: Callable[[int], Buffer] = bytearray,
) -> int:
    """Read until end of stream, handing every chunk to every consumer; return bytes read.

    ``readinto`` fills a buffer and returns how many bytes it put there (0 at the end). With one
    consumer everything runs in the calling thread; with several, each consumer gets its own
    thread and the caller only reads, so reading and all consumers overlap. A buffer is reused
    only after every consumer has finished with it. The first exception raised by a consumer
    stops the pump and is re-raised here. ``new_buffer(chunk_size)`` makes each buffer (page-aligned
    ones for ``O_DIRECT`` I/O, for instance); ``readinto`` is given exactly ``chunk_size`` bytes of it.
    """
    if len(consumers) <= 1:
        view = memoryview(new_buffer(chunk_size))[:chunk_size]
        total = 0
        while True:
            n = readinto(view)
            if not n:
                return total
            for consume in consumers:
                consume(view[:n])
            total += n
            if on_chunk is not None:
                on_chunk(n)

    free: queue.SimpleQueue[Buffer] = queue.SimpleQueue()
    for _ in range(buffers):
        free.put(new_buffer(chunk_size))
    lanes: list[queue.SimpleQueue[tuple[Buffer, int] | None]] = [
        queue.SimpleQueue() for _ in consumers
    ]
    remaining: dict[int, int] = {}
    lock = threading.Lock()
    failures: list[BaseException] = []

    def run(lane: queue.SimpleQueue[tuple[Buffer, int] | None], consume: Callable[[memoryview], object]) -> None:
        while True:
            item = lane.get()
            if item is None:
                return
            buf, n = item
            if not failures:
                try:
                    consume(memoryview(buf)[:n])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                    failures.append(exc)
            with lock:
                remaining[id(buf)] -= 1
                done = remaining[id(buf)] == 0
            if done:
                free.put(buf)

    threads = [
        threading.Thread(target=run, args=(lane, consume), daemon=True)
        for lane, consume in zip(lanes, consumers)
    ]
    for t in threads:
        t.start()
    total = 0
    try:
        while not failures:
            buf = free.get()
            n = readinto(memoryview(buf)[:chunk_size])
            if not n:
                break
            total += n
            with lock:
                remaining[id(buf)] = len(lanes)
            for lane in lanes:
                lane.put((buf, n))
            if on_chunk is not None:
                on_chunk(n)
    finally:
        for lane in lanes:
            lane.put(None)
        for t in threads:
            t.join()
    if failures:
        raise failures[0]
    return total


def hash_bytes(data: bytes | memoryview, algos: Sequence[str] = DEFAULT_ALGOS) -> dict[str, str]:
    """Digests of an in-memory byte string."""
    mh = MultiHash(algos)
    mh.update(data)
    return mh.hexdigests()
