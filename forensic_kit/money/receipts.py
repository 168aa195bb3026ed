"""Mobile-money and transfer receipts: a confirmation with an amount, a direction and/or a reference.

Shapes read (see docs/network.md for which are documented by public samples and which assumed):
M-Pesa (``QJK4H5XYZ1 Confirmed. Ksh1,000.00 sent to NAME 0712345678 on 1/2/24 at 3:04 PM. New
M-PESA balance is Ksh...``), Orange Money (``Trans. ID: CI200530.1831.D47100 vous avez envoye ...``,
``Vous avez recu ... Venant de ...  Votre solde disponible est de ...``), and the Arabic receipts of
Vodafone Cash, e& money/Etisalat Cash, InstaPay, inwi money, Flouci and D17 (``تم تحويل مبلغ ...
إلى ... رقم العملية ... رصيدك الحالي ...``). A message is a receipt only when it has an amount with
currency *and* a past-tense transfer verb; the reference, balance and counterparty raise confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forensic_kit.money import amounts

RULE = "receipt/1"

OPERATORS: tuple[tuple[str, str, str | None], ...] = (
    # (pattern, operator, default currency when the token is ambiguous)
    (r"m-?pesa", "M-Pesa", "KES"),
    (r"orange\s*money|اورنج\s*موني|أورنج\s*موني", "Orange Money", None),
    (r"inwi\s*money|إنوي\s*موني|انوي\s*موني", "inwi money", "MAD"),
    (r"vodafone\s*cash|فودافون\s*كاش", "Vodafone Cash", "EGP"),
    (r"e&\s*money|e&\s*cash|etisalat\s*cash|اتصالات\s*كاش|اي\s*آند\s*كاش", "e& money", "EGP"),
    (r"insta\s*pay|انستا\s*باي|إنستاباي|انستاباي", "InstaPay", "EGP"),
    (r"flouci|فلوسي", "Flouci", "TND"),
    (r"\bd17\b", "D17", "TND"),
    (r"western\s*union|ويسترن\s*يونيون", "Western Union", None),
    (r"money\s*gram|موني\s*جرام", "MoneyGram", None),
)
_OPS = [(re.compile(p, re.IGNORECASE), name, cur) for p, name, cur in OPERATORS]

_OUT = re.compile(
    r"\bsent\s+to\b|\byou\s+have\s+sent\b|\bpaid\s+to\b|\byou\s+have\s+paid\b|\btransferred\s+to\b|"
    r"\byou\s+have\s+transferred\b|\bwithdrawn\b|\bvous\s+avez\s+envoy[ée]\b|\bvous\s+avez\s+transf[ée]r[ée]\b|"
    r"\bconfirmed\b.{0,80}?\bwithdraw\b|\btransfert\s+de\b.{0,40}?\bvers\b|\bvous\s+avez\s+pay[ée]\b|\benvoy[ée]\s+[àa]\b|\bretrait\s+de\b|"
    r"تم\s+تحويل|تم\s+إرسال|تم\s+ارسال|قمت\s+بتحويل|قمت\s+بإرسال|تم\s+دفع|تم\s+سحب|حولت",
    re.IGNORECASE)
_IN = re.compile(
    r"\byou\s+have\s+received\b|\breceived\s+from\b|\bhas\s+been\s+credited\b|\bvous\s+avez\s+re[çc]u\b|"
    r"\bre[çc]u\s+de\b|\bgive\s+(?:ksh|kes)\s?[\d,.]+\s+cash\s+to\b|\bd[ée]p[ôo]t\s+de\b|\bcr[ée]dit[ée]\b|"
    r"تم\s+استلام|استلمت|تم\s+إيداع|تم\s+ايداع|لقد\s+استلمت|وصلك|تم\s+استقبال",
    re.IGNORECASE)
_REF = re.compile(
    r"(?:trans(?:action)?\.?\s*id|txn\.?\s*id|r[ée]f(?:[ée]rence)?\.?|reference|id\s+transaction|"
    r"رقم\s+العملية|رقم\s+المعاملة|رقم\s+المرجع|مرجع\s+العملية|المرجع|مرجع)\s*[:#.]?\s*"
    r"(?P<ref>[A-Z0-9][A-Z0-9.\-]{5,24}[A-Z0-9])", re.IGNORECASE)
_MPESA_ID = re.compile(r"^\s*(?P<ref>[A-Z0-9]{8,12})\s+[Cc]onfirmed\b")
_BAL = re.compile(
    r"(?:balance\s+(?:is|was)|new\s+balance|solde(?:\s+disponible)?(?:\s+est)?(?:\s+de)?|nouveau\s+solde|"
    r"رصيدك(?:\s+الحالي)?(?:\s+هو)?|الرصيد(?:\s+الحالي)?|رصيد\s+حسابك)\s*[:]?\s*", re.IGNORECASE)
_FEE = re.compile(r"(?:transaction\s+cost,?|co[uû]t|frais|رسوم|الرسوم|تكلفة)\s*[:]?\s*", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(\+?\d{9,15})(?!\d)")
_NAME_AFTER = re.compile(
    r"(?:sent\s+to|paid\s+to|received\s+from|from|venant\s+de|vers|[àa]|de|إلى|الى|من|لـ)\s+"
    r"(?P<name>[A-Z][A-Z'\-]+(?:\s+[A-Z][A-Z'\-]+){0,3}|[\u0621-\u064A]+(?:\s+[\u0621-\u064A]+){0,2})")


_NOT_NAMES = {"رقم", "الرقم", "حساب", "الحساب", "محفظة", "المحفظة", "MPESA", "M-PESA", "ACCOUNT", "AGENT"}


@dataclass
class Receipt:
    """One transaction read from a message."""

    amount: str
    currency: str | None
    currency_raw: str
    direction: str | None
    counterparty: dict[str, Any] | None
    reference: str | None
    balance: str | None
    fee: str | None
    operator: str | None
    confidence: float
    rule: str = RULE
    evidence: dict[str, Any] = field(default_factory=dict)


def _after(pattern: re.Pattern[str], text: str, found: list[amounts.Amount]) -> amounts.Amount | None:
    for m in pattern.finditer(text):
        for a in found:
            if 0 <= a.start - m.end() <= 4:
                return a
    return None


def read(text: str) -> Receipt | None:
    """The receipt in ``text`` (already normalised), or None when it is not one."""
    found = amounts.find(text)
    if not found:
        return None
    out_m, in_m = _OUT.search(text), _IN.search(text)
    if not out_m and not in_m:
        return None
    operator, default_cur = None, None
    for rx, op_name, cur in _OPS:
        if rx.search(text):
            operator, default_cur = op_name, cur
            break
    bal = _after(_BAL, text, found)
    fee = _after(_FEE, text, found)
    main = next((a for a in found if a is not bal and a is not fee), None)
    if main is None:
        return None
    direction = None
    if out_m and in_m:
        # the verb nearest before the amount decides; a reversal "returned to your account" reads as in
        direction = "out" if abs(out_m.start() - main.start) <= abs(in_m.start() - main.start) else "in"
    else:
        direction = "out" if out_m else "in"
    ref_m = _MPESA_ID.search(text) or _REF.search(text)
    reference = ref_m.group("ref") if ref_m else None
    if reference and (reference.replace(".", "").replace("-", "").isdigit() and len(reference) < 6):
        reference = None
    phone = None
    for pm in _PHONE.finditer(text):
        if not (main.start <= pm.start() < main.end) and (reference is None or pm.group(1) not in reference):
            phone = pm.group(1)
            break
    nm = _NAME_AFTER.search(text, main.end)
    name = nm.group("name").strip() if nm else None
    if name and name.split()[0] in _NOT_NAMES:
        name = None
    counterparty = {"name": name, "number": phone} if (name or phone) else None
    currency = main.currency or (default_cur if main.currency_raw.lower() in ("dinars", "دينار", "دينارا") else None)
    verb = out_m or in_m
    confidence = 0.6 + (0.2 if reference else 0) + (0.1 if bal else 0) + (0.05 if operator else 0) + (0.05 if counterparty else 0)
    return Receipt(main.value, currency, main.currency_raw, direction, counterparty, reference,
                   bal.value if bal else None, fee.value if fee else None, operator, round(min(confidence, 0.99), 2),
                   evidence={"amount_text": main.raw, "verb": verb.group(0) if verb else None})
