"""Forked worker processes that run tasks and hand back their results in task order.

The calling process produces tasks (a walk, usually) and consumes results; the workers, one per
usable core, do the per-item work (open, read, hash, write) on every core. Tasks and results
travel pickled over one pipe pair per worker, framed by their length; the parent waits on all
pipes at once (``selectors``) and never blocks on a full one.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from forensic_kit.errors import FkitError

T = TypeVar("T")

_QUEUED = 2  # tasks sent ahead to each worker, so it never waits for the producer between tasks
_WINDOW = 8  # tasks per worker that may be done or under way ahead of the next one to yield


class WorkerError(FkitError):
    """A worker process failed or died (a bug, or the process was killed)."""


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(8, "little") + payload


def _read_exact(fd: int, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if k == 0:
            raise EOFError
        got += k
    return buf


def _recv(fd: int) -> bytearray:
    return _read_exact(fd, int.from_bytes(_read_exact(fd, 8), "little"))


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _worker_loop(task_fd: int, result_fd: int, fn: Callable[[Any], object]) -> None:
    """Run in a forked worker: answer each task message with ``(True, result)`` or, once,
    ``(False, traceback)``; end at end of input."""
    while True:
        try:
            task = pickle.loads(_recv(task_fd))
        except EOFError:
            return
        try:
            answer: tuple[bool, object] = (True, fn(task))
        except Exception:  # noqa: BLE001 - reported to the parent, which raises WorkerError
            answer = (False, traceback.format_exc())
        _send(result_fd, _frame(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)))
        if not answer[0]:
            return


class _Worker:
    """The parent's end of one forked worker: its pipes and the tasks it has been given."""

    def __init__(self, pid: int, task_fd: int, result_fd: int) -> None:
        self.pid = pid
        self.task_fd = task_fd  # non-blocking: the parent never waits on a full pipe
        self.result_fd = result_fd
        self.queued: deque[int] = deque()  # task numbers sent and not yet answered, in order
        self.outbox = bytearray()  # task bytes the pipe did not take yet

    def push(self, data: bytes) -> None:
        """Queue task bytes and write what the pipe takes now."""
        self.outbox += data
        self.flush()

    def flush(self) -> None:
        """Write queued task bytes until the pipe is full."""
        try:
            while self.outbox:
                del self.outbox[:os.write(self.task_fd, self.outbox)]
        except BlockingIOError:
            pass


def _die_with_parent() -> None:
    """Linux: this process is killed when the one that forked it dies (``kill -9`` included), so
    that no worker goes on writing after fkit is gone."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _fork_workers(n: int, fn: Callable[[Any], object], init: Callable[[], None] | None) -> list[_Worker]:
    workers: list[_Worker] = []
    parent = os.getpid()
    gc.freeze()  # objects made so far are not collected in the children: fewer copied pages
    try:
        for _ in range(n):
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                for fd in (task_r, task_w, result_r, result_w):
                    os.close(fd)
                raise
            if pid == 0:  # the worker: it must never return into the caller's code
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent stops it early
                    for w in workers:
                        os.close(w.task_fd)
                        os.close(w.result_fd)
                    os.close(task_w)
                    os.close(result_r)
                    _die_with_parent()
                    if os.getppid() != parent:  # the parent was gone before the line above
                        os._exit(0)
                    if init is not None:
                        init()
                    _worker_loop(task_r, result_w, fn)
                    code = 0
                finally:
                    os._exit(code)
            os.close(task_r)
            os.close(result_w)
            os.set_blocking(task_w, False)
            workers.append(_Worker(pid, task_w, result_r))
    except BaseException:
        _stop(workers, clean=False)
        raise
    finally:
        gc.unfreeze()
    return workers


def _stop(workers: list[_Worker], clean: bool) -> None:
    """Close the task pipes (a worker ends at their end), kill workers if the run was cut short,
    and reap them."""
    for w in workers:
        os.close(w.task_fd)
        if not clean:
            try:
                os.kill(w.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for w in workers:
        os.close(w.result_fd)
        try:
            os.waitpid(w.pid, 0)
        except ChildProcessError:  # already reaped (SIGCHLD ignored by the caller)
            pass


def _watch_writes(sel: selectors.BaseSelector, w: _Worker) -> None:
    """Wait for room in ``w``'s task pipe only while it has task bytes the pipe did not take."""
    watched = w.task_fd in sel.get_map()
    if w.outbox and not watched:
        sel.register(w.task_fd, selectors.EVENT_WRITE, w)
    elif watched and not w.outbox:
        sel.unregister(w.task_fd)


def in_workers(tasks: Iterator[Any], nworkers: int, fn: Callable[[Any], T],
               init: Callable[[], None] | None = None, what: str = "worker") -> Iterator[T]:
    """Results of ``fn`` over ``tasks`` computed by ``nworkers`` forked processes, in task order.

    Tasks and results cross process boundaries pickled; ``fn`` and ``init`` (run once in each
    worker) do not, since the workers are forked. Each worker gets tasks ahead (``_QUEUED``) over
    its own pipe and whichever finishes first gets the next one, within ``_WINDOW`` tasks of the
    next result due, which bounds what is held. An exception in ``fn`` ends the run with a
    :class:`WorkerError` carrying the worker's traceback; closing the iterator early kills and
    reaps the workers. ``what`` names the workers in errors.
    """
    workers = _fork_workers(nworkers, fn, init)
    clean = False
    sel = selectors.DefaultSelector()
    try:
        for w in workers:
            sel.register(w.result_fd, selectors.EVENT_READ, w)
        done: dict[int, T] = {}
        next_task = next_out = 0
        exhausted = False
        window = _WINDOW * nworkers
        while True:
            for w in workers:  # top up every worker that has room
                while not exhausted and len(w.queued) < _QUEUED and next_task < next_out + window:
                    task = next(tasks, None)
                    if task is None:
                        exhausted = True
                        break
                    w.queued.append(next_task)
                    next_task += 1
                    w.push(_frame(pickle.dumps(task, pickle.HIGHEST_PROTOCOL)))
                _watch_writes(sel, w)
            if exhausted and next_out == next_task:
                break
            for key, events in sel.select():
                w = key.data
                if key.fd == w.task_fd:  # room in a task pipe that was full
                    w.flush()
                    _watch_writes(sel, w)
                else:
                    try:
                        ok, value = pickle.loads(_recv(w.result_fd))
                    except EOFError:
                        raise WorkerError(f"a {what} worker (pid {w.pid}) ended unexpectedly") from None
                    if not ok:
                        raise WorkerError(f"a {what} worker failed:\n{value}")
                    done[w.queued.popleft()] = value
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        clean = True
    finally:
        sel.close()
        _stop(workers, clean)
