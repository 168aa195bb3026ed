"""The ``fkit`` typer application and its entry point.

Every command module registers itself here. ``main`` turns typed errors, usage errors,
interrupts and broken pipes into the exit codes of :class:`forensic_kit.exitcodes.ExitCode`:
one line on stderr, never a traceback (set ``FKIT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from forensic_kit import __version__
from forensic_kit.cli import console
from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode

app = typer.Typer(
    name="fkit",
    help="fkit: acquire, hash, seal, sign and verify digital evidence; triage phones and media.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"fkit {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """fkit: acquire, hash, seal, sign and verify digital evidence; triage phones and media."""


# Command modules, in the order their commands appear in --help. Each has ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "cmd_case",
    "cmd_fs",
    "cmd_acquire",
    "cmd_hash",
    "cmd_audit",
    "cmd_key",
    "cmd_meta",
    "cmd_phone",
    "cmd_manifest",
    "cmd_verify",
    "cmd_prove",
    "cmd_custody",
    "cmd_report",
    "cmd_export",
    "cmd_training",
)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"forensic_kit.cli.{name}").register(app)


_register()


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    try:
        result = app(args=argv, prog_name="fkit", standalone_mode=False)
    except FkitError as exc:
        console.error(exc.message)
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        result = int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            console.error(exc.message)
        return int(ExitCode.USAGE) if exc.exit_code == 2 else int(ExitCode.CANNOT_RUN)
    except BrokenPipeError:
        console.silence_stdout()
        return int(ExitCode.OK)
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, no traceback
        if os.environ.get("FKIT_DEBUG"):
            raise
        console.error(f"internal error: {type(exc).__name__}: {exc} (set FKIT_DEBUG=1 for details)")
        return int(ExitCode.CANNOT_RUN)
    code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    if code == ExitCode.INTERRUPTED:
        console.error("interrupted")
    return code


def main() -> None:
    """Console-script entry point for ``fkit`` and ``forensic-kit``."""
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        console.silence_stdout()
    sys.exit(code)
