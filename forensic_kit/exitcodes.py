"""Exit codes of every fkit command: one enum, one place (DESIGN.md section 4)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a finished fkit command tells the shell."""

    OK = 0
    """Done, everything checked out."""
    CHECK_FAILED = 1
    """A check ran and the answer is *no* (hash mismatch, bad signature, broken custody chain)."""
    USAGE = 2
    """Usage error (bad flag, bad argument)."""
    PARTIAL = 3
    """Done, but some items could not be processed (all listed, nothing silently skipped)."""
    CANNOT_RUN = 4
    """Could not run (not a case folder, unreadable manifest, missing key)."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""


def worst(*codes: ExitCode) -> ExitCode:
    """Combine outcomes: a failed check outranks partial processing, which outranks success.

    CANNOT_RUN and USAGE end a command before it combines anything, so they rank highest here.
    """
    rank = {
        ExitCode.OK: 0,
        ExitCode.PARTIAL: 1,
        ExitCode.CHECK_FAILED: 2,
        ExitCode.CANNOT_RUN: 3,
        ExitCode.USAGE: 4,
        ExitCode.INTERRUPTED: 5,
    }
    result = ExitCode.OK
    for code in codes:
        if rank[code] > rank[result]:
            result = code
    return result
