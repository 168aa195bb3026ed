"""``fkit graph CASE|RECORDS...|-``: the communication network across exhibits, for link-analysis tools."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.errors import UsageError
from forensic_kit.exitcodes import ExitCode


def graph_command(
    inputs: List[str] = typer.Argument(..., metavar="CASE|RECORDS...|-", help="Case folders, fkit JSON Lines files (phone and money records), or - for stdin."),
    graphml: Optional[Path] = typer.Option(None, "--graphml", metavar="FILE", help="Write GraphML (Gephi, yEd, networkx)."),
    gexf: Optional[Path] = typer.Option(None, "--gexf", metavar="FILE", help="Write GEXF 1.2 (Gephi)."),
    i2: Optional[Path] = typer.Option(None, "--i2", metavar="DIR", help="Write i2 Analyst's Notebook links.csv and its import-spec.txt into DIR."),
    stix: Optional[Path] = typer.Option(None, "--stix", metavar="FILE", help="Write a STIX 2.1 bundle of indicators (numbers, accounts, IMEIs, IBANs, wallets)."),
    stix_min_exhibits: int = typer.Option(1, "--stix-min-exhibits", min=1, help="Only identifiers seen on at least this many exhibits go into the STIX bundle."),
    case_name: str = typer.Option("fkit case", "--name", help="Name of the STIX grouping."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Build the communication network: numbers, e-mails, accounts, IMEIs, SIMs, groups, IBANs and
    wallets as nodes; calls, messages, contacts, group membership, money transfers and use as edges
    with counts, first/last time and source locators. The same identifier on two exhibits is one
    node. Prints graph.node / graph.edge records; the options write files for Gephi, i2 and STIX tools.

    \b
    fkit graph case --graphml case.graphml --gexf case.gexf --i2 i2/ --stix iocs.json
    fkit money case | fkit graph case - --gexf with-money.gexf
    """
    from forensic_kit import jsonl
    from forensic_kit.graph import export, model
    from forensic_kit.timeline import sources

    bad: list[sources.BadLine] = []
    g = model.build(sources.records(sources.expand(inputs), console.stdin_bytes(), bad))
    try:
        if graphml is not None:
            graphml.write_text(export.graphml(g), "utf-8")
        if gexf is not None:
            gexf.write_text(export.gexf(g), "utf-8")
        if i2 is not None:
            i2.mkdir(parents=True, exist_ok=True)
            (i2 / "links.csv").write_text(export.i2_csv(g), "utf-8")
            (i2 / "import-spec.txt").write_text(export.I2_SPEC.format(csv="links.csv"), "utf-8")
        if stix is not None:
            stix.write_text(export.stix_bundle(g, case_name, stix_min_exhibits), "utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    out = console.stdout_bytes()
    try:
        for rec in export.records(g):
            out.write(jsonl.dump_bytes(rec))
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    for b in bad[:20]:
        console.warn(f"{b.where}:{b.lineno}: {b.reason}")
    if not quiet:
        cross = g.cross_exhibit
        exhibits = sum(1 for n in g.nodes.values() if n.type == "exhibit")
        msg = (f"fkit graph: {len(g.nodes)} nodes ({exhibits} exhibits), {len(g.edges)} edges from {g.used} of "
               f"{g.records} records; {len(cross)} identifiers on two or more exhibits")
        if cross:
            msg += ": " + ", ".join(n.id for n in cross[:8]) + (" ..." if len(cross) > 8 else "")
        if bad:
            msg += f"; {len(bad)} lines not records"
        console.say(msg)
    raise typer.Exit(int(ExitCode.PARTIAL if bad else ExitCode.OK))


def register(app: typer.Typer) -> None:
    """Add ``fkit graph`` to the application."""
    app.command("graph")(graph_command)
