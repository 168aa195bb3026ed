"""The ``fkit`` typer application and its entry point.

Every command module registers itself (``register(app)``); the root group imports a command's
module only when that command is looked up (run, or listed by ``fkit --help``), so start-up stays
cheap for every command. ``main`` turns typed errors, usage errors, interrupts and broken pipes
into the exit codes of :class:`forensic_kit.exitcodes.ExitCode`: one line on stderr, never a
traceback (set ``FKIT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, Optional

import typer
import typer.core
import typer.main
from typer import _click as click_types

from forensic_kit import __version__
from forensic_kit.cli import console
from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode

# Each command's name and the module (``forensic_kit.cli.cmd_*``) whose ``register(app)`` adds it,
# in the order the commands appear in --help (single commands first, then command groups).
COMMANDS: dict[str, str] = {
    "acquire": "cmd_acquire",
    "hash": "cmd_hash",
    "audit": "cmd_audit",
    "meta": "cmd_meta",
    "phone": "cmd_phone",
    "verify": "cmd_verify",
    "prove": "cmd_prove",
    "share": "cmd_share",
    "receive": "cmd_receive",
    "case": "cmd_case",
    "fs": "cmd_fs",
    "key": "cmd_key",
    "manifest": "cmd_manifest",
    "custody": "cmd_custody",
    "report": "cmd_report",
    "export": "cmd_export",
    "training": "cmd_training",
    "lab": "cmd_lab",
    "timeline": "cmd_timeline",
    "graph": "cmd_graph",
    "money": "cmd_money",
    "map": "cmd_map",
    "mrz": "cmd_mrz",
}


def load_command(name: str) -> click_types.Command:
    """Import the module of command ``name`` and build its click command (or command group)."""
    module = importlib.import_module(f"forensic_kit.cli.{COMMANDS[name]}")
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    module.register(holder)
    command = typer.main.get_group(holder).commands.get(name)
    if command is None:
        raise RuntimeError(f"forensic_kit.cli.{COMMANDS[name]}.register() did not add command {name!r}")
    _reflow_help(command)
    return command


def reflow(text: str) -> str:
    """A docstring's paragraphs as single lines, so that ``--help`` wraps them to the terminal.

    typer keeps the source line breaks of every paragraph after the first, which breaks lines
    mid-sentence on a narrow terminal. Paragraphs of example commands or lists keep their lines.
    """
    paragraphs = inspect.cleandoc(text).split("\n\n")
    out = []
    for para in paragraphs:
        lines = para.split("\n")
        if not any(line.startswith(("fkit ", "-", " ", "\b")) for line in lines):
            para = " ".join(lines)
        out.append(para)
    return "\n\n".join(out)


def wrappable(text: str) -> str:
    """An option's help with a break opportunity after each ``|`` and ``,`` of a list
    (``seized|sealed|...`` → ``seized | sealed | ...``), so that a narrow terminal wraps the list
    instead of cutting it with an ellipsis."""
    return re.sub(r"(?<=\S)\|(?=\S)", " | ", text)


def _reflow_help(command: click_types.Command) -> None:
    if command.help:
        command.help = reflow(command.help)
    for param in command.params:
        help_text = getattr(param, "help", None)
        if help_text:
            param.help = wrappable(help_text)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        _reflow_help(sub)


class LazyCommands(MutableMapping[str, "click_types.Command"]):
    """The root's sub-commands: every name is known up front; a module is imported on first lookup.

    ``fkit hash ...`` therefore imports typer and ``cmd_hash`` only, not every command's library
    (pytsk3, cryptography, reportlab, magic, ...); ``fkit --help`` looks every command up.
    """

    def __init__(self, loaded: Mapping[str, click_types.Command]) -> None:
        self._loaded: dict[str, click_types.Command] = dict(loaded)
        self._order: list[str] = list(COMMANDS) + [n for n in self._loaded if n not in COMMANDS]

    def __getitem__(self, name: str) -> click_types.Command:
        command = self._loaded.get(name)
        if command is None:
            if name not in COMMANDS:
                raise KeyError(name)
            command = self._loaded[name] = load_command(name)
        return command

    def __setitem__(self, name: str, command: click_types.Command) -> None:
        if name not in self._order:
            self._order.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._order.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._order


class LazyGroup(typer.core.TyperGroup):
    """The ``fkit`` root group: its commands are a :class:`LazyCommands` (listing imports nothing)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def list_commands(self, ctx: click_types.Context) -> list[str]:
        """Every command name, in --help order, without importing any command module."""
        return list(self.commands)


app = typer.Typer(
    name="fkit",
    cls=LazyGroup,
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
