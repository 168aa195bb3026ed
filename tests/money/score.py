"""Score ``forensic_kit.money`` against the labelled corpus: precision and recall per unit.

A unit is a transaction (right only if amount, currency, direction and reference all match the
label) or an identifier (type and value). Printed per family and language by ``python -m
tests.money.score``.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from forensic_kit.money import extract
from tests.money.corpus import Labelled, corpus


def judge(item: Labelled) -> tuple[int, int, int, list[str]]:
    """(true positives, predicted, labelled, problems) for one message."""
    receipt, ids = extract.analyse(item.text)
    tp = predicted = labelled = 0
    problems = []
    if receipt is not None:
        predicted += 1
    if item.transaction is not None:
        labelled += 1
    if receipt is not None and item.transaction is not None:
        want = item.transaction
        got = (Decimal(receipt.amount), receipt.currency, receipt.direction, receipt.reference)
        exp = (want["amount"], want["currency"], want["direction"], want["reference"])
        if got == exp:
            tp += 1
        else:
            problems.append(f"transaction {got} != {exp}")
    elif receipt is not None:
        problems.append(f"false transaction {receipt.amount} {receipt.currency} {receipt.direction}")
    elif item.transaction is not None:
        problems.append("missed transaction")
    got_ids = {(f.type, f.value) for f in ids}
    want_ids = set(item.identifiers)
    predicted += len(got_ids)
    labelled += len(want_ids)
    tp += len(got_ids & want_ids)
    for extra in sorted(got_ids - want_ids):
        problems.append(f"false identifier {extra}")
    for miss in sorted(want_ids - got_ids):
        problems.append(f"missed identifier {miss}")
    return tp, predicted, labelled, problems


def score(items: list[Labelled]) -> tuple[Counter[str], list[tuple[Labelled, list[str]]]]:
    """Totals (tp, predicted, labelled; also per family/lang) and the messages with problems."""
    totals: Counter[str] = Counter()
    bad = []
    for item in items:
        tp, pr, lb, problems = judge(item)
        for key in ("all", f"{item.family}/{item.lang}"):
            totals[f"{key}|tp"] += tp
            totals[f"{key}|pred"] += pr
            totals[f"{key}|lab"] += lb
        if problems:
            bad.append((item, problems))
    return totals, bad


def main() -> None:
    items = corpus()
    totals, bad = score(items)
    keys = sorted({k.split("|")[0] for k in totals})
    print(f"{len(items)} messages")
    print("| family/lang | labelled | predicted | correct | precision | recall |")
    print("|---|---|---|---|---|---|")
    for k in keys:
        tp, pr, lb = totals[f"{k}|tp"], totals[f"{k}|pred"], totals[f"{k}|lab"]
        p = f"{tp / pr:.3f}" if pr else "-"
        r = f"{tp / lb:.3f}" if lb else "-"
        print(f"| {k} | {lb} | {pr} | {tp} | {p} | {r} |")
    for item, problems in bad[:40]:
        print("#", item.family, item.lang, problems, item.text[:160].replace("\n", " "))


if __name__ == "__main__":
    main()
