"""``fkit export case-uco CASE``: CASE/UCO JSON-LD for exchange with other forensic tools."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Optional

import typer

from forensic_kit.cli import console

export_app = typer.Typer(help="Export a case in exchange formats.", no_args_is_help=True)


@export_app.command("case-uco")
def export_case_uco(
    case: Path = typer.Argument(..., metavar="CASE", help="The case package folder."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Write the case (files, hashes, exhibits, acquisition actions, custody) as CASE/UCO JSON-LD."""
    from forensic_kit.manifest.uco import export

    if output is None:
        stream = io.TextIOWrapper(console.stdout_bytes(), encoding="utf-8", write_through=True)
        try:
            nodes = export(case, stream)
            stream.flush()
        finally:
            stream.detach()  # never close the real stdout
    else:
        tmp = output.with_name(f".{output.name}.fkit-tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                nodes = export(case, f)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
    console.say(f"fkit export case-uco: {nodes} objects" + (f" written to {output}" if output else ""))
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add ``fkit export`` to the application."""
    app.add_typer(export_app, name="export")
