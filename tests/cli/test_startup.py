"""Start-up stays cheap: a command imports its own module only, not every command's libraries."""

from __future__ import annotations

import subprocess
import sys

from forensic_kit.cli.app import COMMANDS
from tests.conftest import fkit

# libraries that only some commands need (disk images, PDF, signing, media)
HEAVY = ("pytsk3", "pyewf", "reportlab", "cryptography", "magic", "exifread", "PIL", "rich.progress",
         "pydantic")  # typer 0.29 coerces every parameter through pydantic: ~0.1 s per command


def _modules_after(*argv: str) -> set[str]:
    """The modules loaded once ``fkit argv...`` has run (in a fresh interpreter)."""
    code = (
        "import sys\n"
        "from forensic_kit.cli.app import run\n"
        f"run({list(argv)!r})\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write('\\n'.join(sorted(sys.modules)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return set(res.stderr.decode().split())


def _command_modules(loaded: set[str]) -> set[str]:
    return {m.rsplit(".", 1)[1] for m in loaded if m.startswith("forensic_kit.cli.cmd_")}


def test_version_imports_no_command() -> None:
    loaded = _modules_after("--version")
    assert _command_modules(loaded) == set()
    assert [m for m in HEAVY if m in loaded] == []


def test_a_command_imports_only_its_own_module() -> None:
    loaded = _modules_after("hash", "--help")
    assert _command_modules(loaded) == {"cmd_hash"}
    assert [m for m in HEAVY if m in loaded] == []
    assert _command_modules(_modules_after("case", "init", "--help")) == {"cmd_case"}


def test_root_help_lists_every_command_with_its_help() -> None:
    res = fkit("--help", env={"COLUMNS": "200"})
    assert res.returncode == 0
    out = res.stdout.decode()
    panel = out[out.index("Commands"):]
    listed = [line.split()[1] for line in panel.splitlines() if line.startswith("│ ") and line[2] != " "]
    assert listed == list(COMMANDS)  # every command, in the order of COMMANDS
    assert "Hash every byte of files and folders once" in out
    assert "Case packages (BagIt 1.0 bags)." in out


def test_unknown_command_is_a_usage_error_with_a_suggestion() -> None:
    res = fkit("has")
    assert res.returncode == 2
    assert b"No such command 'has'. Did you mean 'hash'?" in res.stderr


def test_help_paragraphs_wrap_to_the_terminal() -> None:
    res = fkit("fs", "ls", "--help", env={"COLUMNS": "80"})
    assert res.returncode == 0
    text = " ".join(line.strip() for line in res.stdout.decode().splitlines())
    # one sentence across the docstring's line break, wrapped by the terminal width alone
    assert "per entry: path, inode, type, allocation state, size and MACB times in UTC" in text
    lines = [line.rstrip() for line in res.stdout.decode().splitlines()]
    assert " allocation state," not in lines


def test_reflow_keeps_example_lines() -> None:
    from forensic_kit.cli.app import reflow

    doc = """Title line.

    A sentence
    cut in two.

    fkit phone ./x --exhibit EX-01
    fkit phone links CASE
    """
    assert reflow(doc) == ("Title line.\n\nA sentence cut in two.\n\n"
                           "fkit phone ./x --exhibit EX-01\nfkit phone links CASE")
