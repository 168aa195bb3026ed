"""The flaws a trainer can plant, what each one is, where it shows and which command reveals it.

Texts are in English, French and Arabic (the answer key prints the profile's languages).
"""

from __future__ import annotations

from dataclasses import dataclass

from forensic_kit.errors import UsageError


@dataclass(frozen=True)
class FlawInfo:
    """One kind of flaw."""

    name: str
    title: dict[str, str]  # lang -> short title
    explain: dict[str, str]  # lang -> what was done and why it matters
    reveal: str  # the command that reveals it
    finding_codes: tuple[str, ...]  # codes fkit verify / custody verify / training check report for it


FLAWS: dict[str, FlawInfo] = {f.name: f for f in (
    FlawInfo(
        "custody-gap",
        {"en": "Custody gap: a transfer with no receipt", "fr": "Rupture de la chaîne : transfert sans réception",
         "ar": "انقطاع في سلسلة الحيازة: نقل دون استلام"},
        {"en": "The courier took the exhibit but no one recorded receiving it at the laboratory; the next event "
               "is signed by someone who never received it.",
         "fr": "Le convoyeur a pris la pièce mais personne n'a enregistré sa réception au laboratoire ; "
               "l'événement suivant est signé par quelqu'un qui ne l'a jamais reçue.",
         "ar": "استلم الناقل المحجوز لكن لم يسجل أحد استلامه في المختبر؛ والحدث التالي موقع من شخص لم يستلمه قط."},
        "fkit custody verify CASE --trust TRUST", ("continuity",)),
    FlawInfo(
        "tampered-file",
        {"en": "Tampered file: payload changed after sealing", "fr": "Fichier altéré après le scellement",
         "ar": "ملف معدل بعد الختم"},
        {"en": "One file of the phone extraction was edited after the manifest was signed: its hash no longer "
               "matches the sealed manifest.",
         "fr": "Un fichier de l'extraction du téléphone a été modifié après la signature du manifeste : "
               "son empreinte ne correspond plus.",
         "ar": "عُدّل ملف من استخراج الهاتف بعد توقيع البيان: بصمته لم تعد مطابقة."},
        "fkit verify CASE --trust TRUST", ("file.MODIFIED",)),
    FlawInfo(
        "wrong-timezone",
        {"en": "Wrong time zone: camera clock offset unrecorded", "fr": "Mauvais fuseau : décalage de l'appareil non consigné",
         "ar": "منطقة زمنية خاطئة: فارق ساعة الكاميرا غير مسجل"},
        {"en": "The Tripoli photos come from a camera whose clock stayed on Niger time (UTC+1) and which records "
               "no offset: their local times read one hour early; only the GPS time (UTC) shows it.",
         "fr": "Les photos de Tripoli viennent d'un appareil resté à l'heure du Niger (UTC+1) sans décalage "
               "enregistré : l'heure locale affichée a une heure de retard ; seule l'heure GPS (UTC) le montre.",
         "ar": "صور طرابلس من كاميرا بقيت ساعتها على توقيت النيجر (UTC+1) دون تسجيل الفارق: "
               "الوقت المحلي متأخر ساعة، ولا يكشفه إلا وقت GPS."},
        "fkit meta CASE/data/EX-03 (compare time with gps.time_utc; zone_assumed)", ("time.camera_offset",)),
    FlawInfo(
        "swapped-exhibit",
        {"en": "Swapped exhibits: seal numbers exchanged", "fr": "Scellés intervertis", "ar": "أختام متبادلة"},
        {"en": "The custody record seals the first phone under the second phone's seal number and vice versa: "
               "the seals on the ledger do not match the exhibit sheets.",
         "fr": "Le registre de garde scelle le premier téléphone sous le numéro de scellé du second et "
               "inversement : les scellés ne correspondent pas aux fiches des pièces.",
         "ar": "سجل الحيازة يختم الهاتف الأول برقم ختم الهاتف الثاني والعكس: الأختام لا تطابق بطاقات المحجوزات."},
        "fkit custody verify CASE --trust TRUST (seal numbers against fkit/exhibits/*.json)", ("seal.mismatch",)),
    FlawInfo(
        "unsigned-transfer",
        {"en": "Unsigned transfer", "fr": "Transfert non signé", "ar": "نقل غير موقع"},
        {"en": "One transfer event carries no signature at all: nothing proves who released the exhibit.",
         "fr": "Un transfert ne porte aucune signature : rien ne prouve qui a remis la pièce.",
         "ar": "حدث نقل بلا أي توقيع: لا شيء يثبت من سلّم المحجوز."},
        "fkit custody verify CASE --trust TRUST", ("signature.missing",)),
    FlawInfo(
        "late-seal",
        {"en": "Late seal: sealed hours after seizure", "fr": "Scellé tardif : scellé des heures après la saisie",
         "ar": "ختم متأخر: خُتم بعد ساعات من الحجز"},
        {"en": "The USB stick was sealed many hours after it was seized; for those hours nothing protected it.",
         "fr": "La clé USB a été scellée de nombreuses heures après la saisie ; pendant ce temps rien ne la protégeait.",
         "ar": "خُتمت ذاكرة USB بعد ساعات طويلة من حجزها؛ ولم يكن يحميها شيء خلال ذلك."},
        "fkit custody verify CASE --trust TRUST (time from seizure to seal)", ("seal.late",)),
    FlawInfo(
        "untrusted-signer",
        {"en": "Untrusted signer", "fr": "Signataire non approuvé", "ar": "موقّع غير موثوق"},
        {"en": "One event is signed with a valid key that is not in the agency's trusted signers list.",
         "fr": "Un événement est signé avec une clé valide absente de la liste des signataires approuvés.",
         "ar": "حدث موقّع بمفتاح صالح غير مدرج في قائمة الموقّعين الموثوقين للجهة."},
        "fkit custody verify CASE --trust TRUST", ("signature.untrusted",)),
)}


def parse_flaws(text: str | None) -> list[str]:
    """``"custody-gap,late-seal"`` → the list, in canonical order (``UsageError`` for an unknown name)."""
    if not text:
        return []
    names = [t.strip() for t in text.split(",") if t.strip()]
    return check_flaws(names)


def check_flaws(names: list[str]) -> list[str]:
    """Validate flaw names and return them deduplicated, in the canonical order of :data:`FLAWS`."""
    for n in names:
        if n not in FLAWS:
            raise UsageError(f"--flaws: unknown flaw {n!r}; choose from {', '.join(FLAWS)}")
    return [n for n in FLAWS if n in names]
