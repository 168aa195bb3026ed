"""Running fkit's tasks on a Dask distributed cluster (``--cluster tcp://host:8786``).

The client keeps the order: tasks are submitted in a bounded window and their results yielded in
submission order, so the output is the local run's, byte for byte. Tasks are pure functions of
their arguments (paths on a mount every worker sees), so a task whose worker dies is simply run
again elsewhere by the scheduler: nothing is lost or duplicated. Each result comes back with the
address of the worker that made it, for the client's spot checks (:mod:`forensic_kit.lab.spot`).

``distributed`` is imported only here, and this module only when a cluster is named.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from forensic_kit.errors import FkitError, UsageError

T = TypeVar("T")

CLUSTER_ENV = "FKIT_CLUSTER"
_WINDOW_PER_THREAD = 4


class ClusterError(FkitError):
    """The cluster cannot be reached or went away (exit 4: nothing was decided)."""


@dataclass(frozen=True)
class Tls:
    """Client certificates for a TLS cluster (``tls://`` addresses)."""

    ca_file: Path
    cert: Path
    key: Path


def address_from(option: str | None) -> str | None:
    """``--cluster`` or, when absent, ``FKIT_CLUSTER`` (None: run locally)."""
    value = option or os.environ.get(CLUSTER_ENV) or None
    return value.strip() if value else None


def connect(address: str, tls: Tls | None = None, timeout_s: float = 20) -> Any:
    """A connected ``distributed.Client`` (``ClusterError`` with one line when it cannot be)."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--cluster needs the 'distributed' package (pip install 'dask[distributed]')") from None
    security = None
    if tls is not None:
        from distributed.security import Security

        security = Security(tls_ca_file=str(tls.ca_file), tls_client_cert=str(tls.cert),  # type: ignore[no-untyped-call]
                            tls_client_key=str(tls.key), require_encryption=True)
    try:
        return Client(address, timeout=timeout_s, security=security, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the cluster scheduler at {address}: {exc or type(exc).__name__}") from None


def _task_delay() -> None:
    """Test hook: ``FKIT_CLUSTER_TASK_DELAY`` seconds of sleep per task (to kill a worker mid-run)."""
    delay = os.environ.get("FKIT_CLUSTER_TASK_DELAY")
    if delay:
        time.sleep(float(delay))


def _run_on_worker(fn: Callable[..., T], args: tuple[Any, ...]) -> tuple[str, T]:
    """What a worker runs: ``fn(*args)``, with the worker's address for the spot checks."""
    try:
        from distributed import get_worker

        who = str(get_worker().address)
    except (ImportError, ValueError):
        who = "local"
    _task_delay()
    return who, fn(*args)


RELATIVE = ("with --cluster, give absolute paths: the workers read {path} from their own current folder, "
            "not this shell's")


def absolute(path: str | bytes | os.PathLike[str]) -> None:
    """Refuse a relative path on a cluster run (a worker would read another file: a wrong answer)."""
    if not os.path.isabs(path):
        raise UsageError(RELATIVE.format(path=os.fsdecode(path)))


def absolute_items(items: Iterable[Any]) -> Iterator[Any]:
    """Work items (anything with a ``path``), checked by :func:`absolute` as they stream past."""
    for item in items:
        if item.path:
            absolute(item.path)
        yield item


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """``items`` in lists of ``n`` (the last one shorter), in order: the file batches of a task."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def shared(client: Any, value: Any) -> Any:
    """``value`` sent once to every worker (a future the tasks take as an argument), not once per
    task: options holding a watch list, say."""
    try:
        return client.scatter(value, broadcast=True, hash=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"the cluster scheduler went away: {exc or type(exc).__name__}") from None


def ordered_map(client: Any, fn: Callable[..., T], args: Iterable[tuple[Any, ...]],
                key_prefix: str = "fkit") -> Iterator[tuple[str, T]]:
    """``(worker, fn(*a))`` for each ``a`` of ``args``, in order, computed on the cluster.

    At most a few tasks per worker thread are in flight, so memory stays flat however many tasks
    there are. A task that raises ends the run with its error; a lost scheduler is a
    :class:`ClusterError`.
    """
    try:
        threads = max(1, sum(client.nthreads().values()))
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"the cluster scheduler went away: {exc or type(exc).__name__}") from None
    window = threads * _WINDOW_PER_THREAD
    pending: deque[Any] = deque()
    it = iter(args)
    n = 0
    stamp = f"{key_prefix}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        while True:
            while len(pending) < window:
                a = next(it, None)
                if a is None:
                    break
                pending.append(client.submit(_run_on_worker, fn, a, key=f"{stamp}-{n}", pure=False, retries=2))
                n += 1
            if not pending:
                return
            future = pending.popleft()
            yield future.result()
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"the cluster scheduler went away: {exc or type(exc).__name__}; "
                           "run the same command again when it is back") from None
    finally:
        for f in pending:
            f.cancel()
