"""``fkit prove CASE PATH... --out SUBSET``: disclose chosen files with Merkle inclusion proofs."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console
from forensic_kit.records import new_record


def prove_command(
    case: Path = typer.Argument(..., metavar="CASE", help="A sealed case package."),
    paths: List[str] = typer.Argument(..., metavar="PATH...", help="Files to disclose (bag paths such as data/EX-01/a.jpg, or paths into CASE)."),
    out: Path = typer.Option(..., "--out", "-o", help="Subset folder to write (must not exist or be empty)."),
) -> None:
    """Write a subset with only the chosen files, the signed manifest and their inclusion proofs.

    `fkit verify SUBSET` then proves each file belongs to the sealed case without revealing the rest.
    """
    from forensic_kit.manifest.prove import prove

    entries = prove(case, paths, out)
    o = console.stdout_bytes()
    for e in entries:
        o.write(jsonl.dump_bytes(new_record("proof", "prove", "1", bag_path=e["bag_path"],
                                            leaf_index=e["leaf_index"], tree_size=e["tree_size"],
                                            proof_length=len(e["proof"]), subset=str(out))))
    console.say(f"fkit prove: {len(entries)} file(s) with inclusion proofs written to {out}")


def register(app: typer.Typer) -> None:
    """Add ``fkit prove`` to the application."""
    app.command("prove")(prove_command)
