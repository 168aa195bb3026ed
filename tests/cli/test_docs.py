"""The README documents every command (an officer's script should never meet a secret one)."""

from __future__ import annotations

from tests.cli.test_exit_codes import command_paths
from tests.conftest import REPO


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [" ".join(p) for p in command_paths() if f"fkit {' '.join(p)}" not in readme]
    assert missing == [], f"commands not documented in README.md: {missing}"


def test_exit_code_table_is_in_the_readme() -> None:
    from forensic_kit.exitcodes import ExitCode

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in readme, code
