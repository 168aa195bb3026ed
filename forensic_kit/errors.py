"""Typed errors. Each carries a one-line, user-facing message and the exit code it implies.

Library code raises these; the CLI prints ``message`` on stderr (one line, no traceback) and
exits with ``exit_code``.
"""

from __future__ import annotations

from forensic_kit.exitcodes import ExitCode


class FkitError(Exception):
    """Base class of all errors fkit reports to a person."""

    exit_code: ExitCode = ExitCode.CANNOT_RUN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(FkitError):
    """The command was called wrongly (bad option value, incompatible options)."""

    exit_code = ExitCode.USAGE


class InputError(FkitError):
    """An input the command needs cannot be used (missing file, unknown list format)."""

    exit_code = ExitCode.CANNOT_RUN


class NotACaseError(FkitError):
    """A folder given as a case is not an fkit case package."""

    exit_code = ExitCode.CANNOT_RUN


class CaseExistsError(FkitError):
    """Refusing to overwrite an existing case or output."""

    exit_code = ExitCode.CANNOT_RUN


class SigningKeyError(FkitError):
    """A signing key is missing, unreadable, or its passphrase is wrong."""

    exit_code = ExitCode.CANNOT_RUN


class FormatError(FkitError):
    """A file is not in the format fkit expected (corrupt image, unknown list, bad record)."""

    exit_code = ExitCode.CANNOT_RUN


class CheckFailed(FkitError):
    """A check ran and the answer is no. Raised only where a single yes/no is the result."""

    exit_code = ExitCode.CHECK_FAILED


class SealedError(UsageError):
    """The case is sealed: a command that would change it needs an explicit new revision."""
