"""``fkit money CASE|RECORDS...|-``: transactions and payment identifiers in messages."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from enum import Enum
from typing import List, Optional

import typer

from forensic_kit.cli import console
from forensic_kit.exitcodes import ExitCode

CSV_COLUMNS = ("kind", "exhibit", "time", "direction", "amount", "currency", "counterparty", "reference", "balance",
               "identifier_type", "identifier", "operator", "rule", "confidence", "locator", "text")


class MoneyFormat(str, Enum):
    """Output formats of ``fkit money``."""

    jsonl = "jsonl"
    csv = "csv"


def _csv_row(rec: dict) -> str:  # type: ignore[type-arg]
    ident = rec.get("identifier") or {}
    cp = rec.get("counterparty") or {}
    row = [rec["kind"], rec.get("exhibit"), (rec.get("time") or {}).get("utc"), rec.get("direction"), rec.get("amount"),
           rec.get("currency"), " ".join(str(v) for v in (cp.get("name"), cp.get("number")) if v) or None,
           rec.get("reference"), rec.get("balance"), ident.get("type"), ident.get("value"), rec.get("operator"),
           rec.get("rule"), rec.get("confidence"),
           json.dumps((rec.get("source") or {}).get("locator"), ensure_ascii=False, separators=(",", ":")), rec.get("text")]
    buf = io.StringIO()
    csv.writer(buf).writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def money_command(
    inputs: List[str] = typer.Argument(..., metavar="CASE|RECORDS...|-", help="Case folders, fkit JSON Lines files (phone records), or - for stdin."),
    fmt: MoneyFormat = typer.Option(MoneyFormat.jsonl, "--format", "-f", help="jsonl (money.transaction / money.identifier records) or csv."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0, help="Leave out findings below this confidence."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Find money in message texts: mobile-money receipts (M-Pesa, Orange Money, Vodafone Cash, e& money,
    InstaPay, inwi money, Flouci, D17; Arabic, French, English) and payment identifiers (IBAN with its
    check digits, Luhn-checked cards shown masked, Western Union MTCN, MoneyGram references, BTC, ETH
    and TRON addresses checked by checksum).

    Each record keeps the message's exhibit, time and locator, the rule that matched and its
    confidence. The output feeds fkit timeline and fkit graph. Exit 3 when some input lines were not
    records (each named on stderr).

    \b
    fkit money case > money.jsonl
    fkit money case -f csv --min-confidence 0.9
    """
    from forensic_kit import jsonl
    from forensic_kit.money import extract
    from forensic_kit.timeline import sources

    bad: list[sources.BadLine] = []
    counts: Counter[str] = Counter()
    out = console.stdout_bytes()
    try:
        if fmt is MoneyFormat.csv:
            out.write((",".join(CSV_COLUMNS) + "\r\n").encode("utf-8"))
        for rec in sources.records(sources.expand(inputs), console.stdin_bytes(), bad):
            counts["records"] += 1
            for found in extract.records(rec):
                if float(found.get("confidence") or 0) < min_confidence:
                    counts["below"] += 1
                    continue
                key = found["kind"] if found["kind"] == "money.transaction" else f"{found['identifier']['type']}"
                counts[key] += 1
                out.write(jsonl.dump_bytes(found) if fmt is MoneyFormat.jsonl else _csv_row(found).encode("utf-8"))
        out.flush()
    except BrokenPipeError:
        console.silence_stdout()
        raise typer.Exit(0) from None
    for b in bad[:20]:
        console.warn(f"{b.where}:{b.lineno}: {b.reason}")
    if not quiet:
        ids = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("records", "below", "money.transaction"))
        msg = f"fkit money: {counts['records']} records read; {counts['money.transaction']} transactions; identifiers: {ids or 'none'}"
        if counts["below"]:
            msg += f"; {counts['below']} below --min-confidence"
        if bad:
            msg += f"; {len(bad)} lines not records"
        console.say(msg)
    raise typer.Exit(int(ExitCode.PARTIAL if bad else ExitCode.OK))


def register(app: typer.Typer) -> None:
    """Add ``fkit money`` to the application."""
    app.command("money")(money_command)
