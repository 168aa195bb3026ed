"""``handout.pdf`` (trainees: the case file, no answers) and ``answer-key.pdf`` (instructor).

Both reuse the report engineer's page machinery (:mod:`forensic_kit.report.layout`: fonts from pip
packages, Arabic shaping and right-to-left order, header with QR code, "Page X of Y" footer with the
manifest SHA-256, TRAINING watermark) and translated strings (``templates/strings``), extended with
the training strings below. Byte-reproducible: the creation date is fixed by the case timeline.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from forensic_kit.report.layout import PageSetup, Text, build_pdf, color
from forensic_kit.report.strings import Strings, load_layout, load_strings
from forensic_kit.training.flaws import FLAWS

if TYPE_CHECKING:
    from forensic_kit.training.case import TrainingResult

_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "tr_handout_title": "Mock trial: case file (trainee handout)",
        "tr_key_title": "Mock trial: answer key (instructor only)",
        "tr_case": "The case", "tr_exhibits": "Exhibits", "tr_custody": "Custody events",
        "tr_task": "Your task", "tr_network": "Phone network (identifiers on both phones)",
        "tr_flaws": "Planted flaws", "tr_commands": "Commands for the exercise",
        "tr_mock": "Synthetic case made by fkit for training. No real person, number or event.",
        "tr_task_text": "Check whether this evidence can be relied on in court: integrity since sealing, "
                        "signatures and who is trusted, the chain of custody, seals, and the times the photos show. "
                        "Note every problem you find, where it shows and which command reveals it.",
        "tr_clean": "No flaw was planted: every check must pass (exit 0).",
        "tr_col_flaw": "Flaw", "tr_col_where": "Where it shows", "tr_col_reveal": "Command that reveals it",
        "tr_col_expect": "Expected findings", "tr_col_seq": "#", "tr_col_time": "Time (UTC)",
        "tr_col_action": "Action", "tr_col_by": "Released by", "tr_col_to": "Received by", "tr_col_seal": "Seal",
        "tr_col_signed": "Signed", "tr_col_id": "Identifier", "tr_col_on": "Seen on",
        "tr_seed": "Seed {seed}; profile {profile}; training keys' passphrase: {passphrase}",
        "tr_end": "End of document",
    },
    "fr": {
        "tr_handout_title": "Procès fictif : dossier (document stagiaire)",
        "tr_key_title": "Procès fictif : corrigé (formateur uniquement)",
        "tr_case": "L'affaire", "tr_exhibits": "Pièces à conviction", "tr_custody": "Événements de la chaîne de garde",
        "tr_task": "Votre mission", "tr_network": "Réseau téléphonique (identifiants sur les deux téléphones)",
        "tr_flaws": "Défauts introduits", "tr_commands": "Commandes pour l'exercice",
        "tr_mock": "Affaire synthétique créée par fkit pour la formation. Aucune personne, aucun numéro ni fait réel.",
        "tr_task_text": "Vérifiez si ces preuves peuvent être retenues : intégrité depuis le scellement, signatures "
                        "et signataires approuvés, chaîne de garde, scellés, heures des photos. Notez chaque problème, "
                        "où il apparaît et quelle commande le révèle.",
        "tr_clean": "Aucun défaut introduit : toutes les vérifications doivent réussir (code 0).",
        "tr_col_flaw": "Défaut", "tr_col_where": "Où il apparaît", "tr_col_reveal": "Commande qui le révèle",
        "tr_col_expect": "Constats attendus", "tr_col_seq": "N°", "tr_col_time": "Heure (UTC)",
        "tr_col_action": "Action", "tr_col_by": "Remis par", "tr_col_to": "Reçu par", "tr_col_seal": "Scellé",
        "tr_col_signed": "Signé", "tr_col_id": "Identifiant", "tr_col_on": "Vu sur",
        "tr_seed": "Graine {seed} ; profil {profile} ; phrase secrète des clés d'entraînement : {passphrase}",
        "tr_end": "Fin du document",
    },
    "ar": {
        "tr_handout_title": "محاكمة صورية: ملف القضية (نسخة المتدربين)",
        "tr_key_title": "محاكمة صورية: مفتاح الإجابات (للمدرب فقط)",
        "tr_case": "القضية", "tr_exhibits": "المحجوزات", "tr_custody": "أحداث سلسلة الحيازة",
        "tr_task": "مهمتك", "tr_network": "شبكة الهواتف (معرفات على الهاتفين)",
        "tr_flaws": "العيوب المزروعة", "tr_commands": "أوامر التمرين",
        "tr_mock": "قضية اصطناعية أنشأها fkit للتدريب. لا أشخاص ولا أرقام ولا وقائع حقيقية.",
        "tr_task_text": "تحقق مما إذا كان يمكن الاعتماد على هذه الأدلة أمام المحكمة: السلامة منذ الختم، التوقيعات "
                        "والموقعون الموثوقون، سلسلة الحيازة، الأختام، وأوقات الصور. سجّل كل مشكلة وأين تظهر وأي أمر يكشفها.",
        "tr_clean": "لم يُزرع أي عيب: يجب أن تنجح كل عمليات التحقق (الرمز 0).",
        "tr_col_flaw": "العيب", "tr_col_where": "أين يظهر", "tr_col_reveal": "الأمر الذي يكشفه",
        "tr_col_expect": "النتائج المتوقعة", "tr_col_seq": "رقم", "tr_col_time": "الوقت (UTC)",
        "tr_col_action": "الإجراء", "tr_col_by": "سلّمه", "tr_col_to": "استلمه", "tr_col_seal": "الختم",
        "tr_col_signed": "موقّع", "tr_col_id": "المعرّف", "tr_col_on": "ظهر في",
        "tr_seed": "البذرة {seed}؛ الملف {profile}؛ عبارة مرور مفاتيح التدريب: {passphrase}",
        "tr_end": "نهاية الوثيقة",
    },
}

COMMANDS = (
    "fkit verify case --trust trust/allowed_signers",
    "fkit custody verify case --trust trust/allowed_signers",
    "fkit custody show case",
    "fkit training check case",
    "fkit meta case/data/EX-03 --timeline timeline.csv",
    "fkit phone links case",
    "fkit fs ls case/data/EX-04/usb-stick.img --deleted",
)


def training_strings(langs: Sequence[str]) -> list[Strings]:
    """The report strings of ``langs`` with the training strings added."""
    out = []
    for lang in langs:
        base = load_strings(lang)
        mine = _STRINGS.get(lang, _STRINGS["en"])
        out.append(Strings(base.lang, base.rtl, {**base.table, **mine}, {**base.fallback, **_STRINGS["en"]}))
    return out


def _all(strings: Sequence[Strings], key: str, **values: Any) -> list[Flowable]:
    return [Text(s.get(key, **values), 8) for s in strings]


def _heading(strings: Sequence[Strings], key: str, lay: dict[str, Any]) -> list[Flowable]:
    latin = " · ".join(s.get(key) for s in strings if not s.rtl)
    arabic = " · ".join(s.get(key) for s in strings if s.rtl)
    head = color(lay["colors"]["header"])
    out: list[Flowable] = [Spacer(1, 8)]
    if latin:
        out.append(Text(latin, 11, head))
    if arabic:
        out.append(Text(arabic, 11, head))
    return out


def _label(strings: Sequence[Strings], key: str) -> str:
    return " / ".join(s.get(key) for s in strings)


def _table(rows: list[list[Any]], widths: list[float], lay: dict[str, Any]) -> Table:
    cells = [[c if isinstance(c, (Flowable, list)) else Text(str(c), 7) for c in row] for row in rows]
    t = Table(cells, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, color(lay["colors"]["grid"])),
        ("BACKGROUND", (0, 0), (-1, 0), color(lay["colors"]["shade"])),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


def _events(case_root: Path) -> list[dict[str, Any]]:
    path = case_root / "fkit" / "custody.jsonl"
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()] if path.exists() else []


def _party(p: Any) -> str:
    if not isinstance(p, dict):
        return ""
    return f"{p.get('name')}" + (f" ({p['id']})" if p.get("id") else "")


def _common(result: "TrainingResult", S: Sequence[Strings], lay: dict[str, Any], width: float,
            case_id: str) -> list[Flowable]:
    story: list[Flowable] = []
    story += [Text(f"{case_id} · TRAINING / FORMATION / تدريب", 10, color(lay["colors"]["bad"]))]
    story += _all(S, "tr_mock")
    story += _heading(S, "tr_case", lay)
    story.append(Text(f"{case_id} — Zuwara — " + ", ".join(f"{k}: {v}" for k, v in sorted(result.people.items())), 7))
    story += _heading(S, "tr_exhibits", lay)
    rows: list[list[Any]] = [[_label(S, "col_exhibit"), _label(S, "col_description"), _label(S, "col_seal")]]
    rows += [[e["id"], e["description"], e["seal"]] for e in result.exhibits]
    story.append(_table(rows, [width * 0.12, width * 0.63, width * 0.25], lay))
    story += _heading(S, "tr_custody", lay)
    rows = [[_label(S, k) for k in ("tr_col_seq", "tr_col_time", "tr_col_action", "col_exhibit", "tr_col_by",
                                     "tr_col_to", "tr_col_seal", "tr_col_signed")]]
    for e in _events(result.case):
        seal = e.get("seal") or {}
        rows.append([e.get("seq"), str(e.get("time", "")).replace("T", " ")[:16], e.get("action"),
                     ", ".join(e.get("exhibits") or []), _party(e.get("released_by")), _party(e.get("received_by")),
                     " ".join(str(v) for v in (seal.get("number"), seal.get("state")) if v),
                     ", ".join(str(s.get("role")) for s in e.get("signatures") or []) or "—"])
    story.append(_table(rows, [width * w for w in (0.05, 0.13, 0.1, 0.14, 0.17, 0.17, 0.14, 0.1)], lay))
    links = result.out / "analysis" / "links.jsonl"
    if links.exists():
        story += _heading(S, "tr_network", lay)
        rows = [[_label(S, "tr_col_id"), _label(S, "tr_col_on")]]
        for line in links.read_bytes().splitlines():
            rec = json.loads(line)
            if rec.get("kind") == "phone.link":
                ident = rec.get("identifier") or {}
                rows.append([f"{ident.get('type')}: {ident.get('value')}", ", ".join(rec.get("exhibits") or [])])
        story.append(_table(rows, [width * 0.6, width * 0.4], lay))
    return story


def _setup(result: "TrainingResult", S: list[Strings], lay: dict[str, Any], case_id: str, kind: str,
           title_key: str) -> PageSetup:
    manifest = result.case / "fkit" / "manifest.json"
    sha = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else None
    return PageSetup(strings=S, layout=lay, doc_id=f"{case_id}-{kind}", revision=1, agency="Training Academy (mock)",
                     title_key=title_key, manifest_sha256=sha, qr_payload=f"{case_id};{kind};manifest-sha256={sha}",
                     watermark="TRAINING / FORMATION / تدريب", paper="A4")


def _render(path: Path, story: list[Flowable], setup: PageSetup, title: str, created: datetime) -> None:
    buf = io.BytesIO()
    build_pdf(buf, story, setup, title=title, subject=setup.doc_id, creation=created)
    path.write_bytes(buf.getvalue())


def write_pdfs(result: "TrainingResult", case_id: str, t0: datetime, officers_names: dict[str, str]) -> dict[str, Path]:
    """Write ``handout.pdf`` and ``answer-key.pdf`` into ``result.out``; return their paths."""
    S = training_strings(result.languages)
    lay = load_layout("custody")
    width = A4[0] - lay["page"]["margin_left"] - lay["page"]["margin_right"]
    created = t0 + timedelta(days=21)

    handout = _common(result, S, lay, width, case_id)
    handout += _heading(S, "tr_task", lay)
    handout += _all(S, "tr_task_text")
    handout += _heading(S, "tr_commands", lay)
    handout += [Text(c, 7.5) for c in COMMANDS]
    handout += _all(S, "tr_seed", seed=result.seed, profile=result.profile, passphrase="training")
    handout += [Spacer(1, 10), Text("— " + " · ".join(s.get("tr_end") for s in S) + " —", 8, align="center")]
    paths = {"handout": result.out / "handout.pdf", "answer_key": result.out / "answer-key.pdf"}
    _render(paths["handout"], handout, _setup(result, S, lay, case_id, "HANDOUT", "tr_handout_title"),
            S[0].get("tr_handout_title"), created)

    key = _heading(S, "tr_flaws", lay)
    if not result.flaws:
        key += _all(S, "tr_clean")
    else:
        rows: list[list[Any]] = [[_label(S, k) for k in ("tr_col_flaw", "tr_col_where", "tr_col_reveal", "tr_col_expect")]]
        for f in result.flaws:
            info = FLAWS[f.name]
            what: list[Flowable] = [Text(f.name, 7.5, color(lay["colors"]["bad"]))]
            for s in S:
                what.append(Text(info.title.get(s.lang, info.title["en"]), 7))
                what.append(Text(info.explain.get(s.lang, info.explain["en"]), 6.5))
            expect = "; ".join(f"{c} {e or ''}".strip() for c, e in f.expected)
            rows.append([what, f.where, f.reveal, expect])
        key.append(_table(rows, [width * 0.4, width * 0.24, width * 0.2, width * 0.16], lay))
    key += _common(result, S, lay, width, case_id)
    key += _heading(S, "tr_commands", lay)
    key += [Text(c, 7.5) for c in COMMANDS]
    key += _all(S, "tr_seed", seed=result.seed, profile=result.profile, passphrase="training")
    key += [Spacer(1, 10), Text("— " + " · ".join(s.get("tr_end") for s in S) + " —", 8, align="center")]
    _render(paths["answer_key"], key, _setup(result, S, lay, case_id, "ANSWER-KEY", "tr_key_title"),
            S[0].get("tr_key_title"), created)
    return paths
