"""What an officer should look at, as plain sentences in English, French and Arabic.

Each finding is ``{"code", "exit_one", "en", "fr", "ar"}``; ``exit_one`` says whether it makes
``fkit mrz`` exit 1 (failed check digits, impossible dates, non-ICAO codes, watchlist hits, one
number with two holders). An expired document is reported but is not by itself a failed check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forensic_kit.mrz import codes, icao

CHECK_NAMES = {
    "document_number": ("document number", "numéro du document", "رقم الوثيقة"),
    "birth_date": ("date of birth", "date de naissance", "تاريخ الميلاد"),
    "expiry_date": ("expiry date", "date d'expiration", "تاريخ انتهاء الصلاحية"),
    "optional_data": ("personal number", "numéro personnel", "الرقم الشخصي"),
    "composite": ("composite", "composite", "المركّب"),
}


def _f(code: str, exit_one: bool, en: str, fr: str, ar: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "exit_one": exit_one, "en": en, "fr": fr, "ar": ar}
    out.update(extra)
    return out


def document_findings(m: icao.Mrz, reference: dt.date) -> list[dict[str, Any]]:
    """Findings about one MRZ on its own (``reference``: the seizure date, or today)."""
    out: list[dict[str, Any]] = []
    for c in m.checks:
        if not c.valid:
            en, fr, ar = CHECK_NAMES[c.name]
            out.append(_f(
                "check_digit_failed", True,
                f"The {en} check digit fails after OCR correction (printed {c.printed}, computed {c.computed}): "
                "possible alteration or forgery, or a misread zone to check by eye.",
                f"Le chiffre de contrôle « {fr} » est faux après correction OCR (imprimé {c.printed}, calculé "
                f"{c.computed}) : altération ou contrefaçon possible, ou zone mal lue à vérifier à l'œil.",
                f"رقم التحقق الخاص بـ{ar} غير صحيح بعد تصحيح القراءة الآلية (المطبوع {c.printed}، المحسوب "
                f"{c.computed}): احتمال تحريف أو تزوير، أو قراءة خاطئة يجب التحقق منها بالعين.",
                check=c.name))
    birth = icao.mrz_date(m.birth_date, "birth", reference)
    expiry = icao.mrz_date(m.expiry_date, "expiry", reference)
    if birth is None and "<" not in m.birth_date:
        out.append(_f("impossible_date", True,
                      f"The date of birth {m.birth_date} (YYMMDD) is not a real calendar date.",
                      f"La date de naissance {m.birth_date} (AAMMJJ) n'existe pas au calendrier.",
                      f"تاريخ الميلاد {m.birth_date} (سنة شهر يوم) ليس تاريخاً موجوداً في التقويم.", field="birth_date"))
    if expiry is None:
        out.append(_f("impossible_date", True,
                      f"The expiry date {m.expiry_date} (YYMMDD) is not a real calendar date.",
                      f"La date d'expiration {m.expiry_date} (AAMMJJ) n'existe pas au calendrier.",
                      f"تاريخ انتهاء الصلاحية {m.expiry_date} (سنة شهر يوم) ليس تاريخاً موجوداً في التقويم.",
                      field="expiry_date"))
    if birth and expiry and expiry <= birth:
        out.append(_f("birth_after_expiry", True,
                      f"The holder is born ({birth.isoformat()}) after the document expires ({expiry.isoformat()}).",
                      f"Le titulaire est né ({birth.isoformat()}) après l'expiration du document ({expiry.isoformat()}).",
                      f"تاريخ ميلاد الحامل ({birth.isoformat()}) لاحق لتاريخ انتهاء صلاحية الوثيقة ({expiry.isoformat()})."))
    if expiry and expiry < reference:
        out.append(_f("expired", False,
                      f"The document expired on {expiry.isoformat()}, before the reference date {reference.isoformat()}.",
                      f"Le document a expiré le {expiry.isoformat()}, avant la date de référence {reference.isoformat()}.",
                      f"انتهت صلاحية الوثيقة في {expiry.isoformat()}، قبل التاريخ المرجعي {reference.isoformat()}."))
    for fld, value, en, fr, ar in (("issuing_state", m.issuing_state, "issuing state", "État émetteur", "الدولة المصدِرة"),
                                   ("nationality", m.nationality, "nationality", "nationalité", "الجنسية")):
        if not codes.is_icao_code(value):
            out.append(_f("non_icao_code", True,
                          f"The {en} code {value!r} is not an ICAO Doc 9303 code.",
                          f"Le code {value!r} ({fr}) n'est pas un code de l'OACI (Doc 9303).",
                          f"رمز {ar} {value!r} ليس رمزاً معتمداً لدى منظمة الطيران المدني الدولي (الوثيقة 9303).",
                          field=fld))
    return out


def conflict_finding(number: str, state: str, holders: list[str], exhibits: list[str]) -> dict[str, Any]:
    """One document number of one state seen with different holders."""
    who = "; ".join(holders)
    where = ", ".join(exhibits) or "-"
    return _f("same_number_different_holders", True,
              f"Document number {number} ({state}) appears with different holders: {who} (exhibits: {where}).",
              f"Le numéro de document {number} ({state}) apparaît avec des titulaires différents : {who} (scellés : {where}).",
              f"رقم الوثيقة {number} ({state}) يظهر بأسماء حاملين مختلفين: {who} (الأحراز: {where}).")


def watchlist_finding(number: str, state: str, status: str, source: str, line: int) -> dict[str, Any]:
    """A hit on the officer's offline list of stolen/lost/revoked/invalid documents."""
    return _f("watchlist_hit", True,
              f"Document number {number} ({state}) is on the watchlist as {status} ({source}, line {line}).",
              f"Le document numéro {number} ({state}) figure sur la liste de surveillance comme {status} ({source}, ligne {line}).",
              f"الوثيقة رقم {number} ({state}) مدرجة في قائمة المراقبة بصفة {status} ({source}، السطر {line}).",
              status=status)
