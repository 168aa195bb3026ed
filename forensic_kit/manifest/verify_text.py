"""VERIFY.txt: how to check a package (or a ``fkit prove`` subset) by hand, in Arabic, French and English.

The prose lives in ``templates/verify/VERIFY.<lang>.txt``; the commands are built here once and put
into every language unchanged, so the three texts give the very same commands. Every command is
meant to be run literally (a test runs them with fkit absent from ``PATH``) and works for every
name fkit can store: the payload step turns the BagIt list (percent-encoded CR, LF and ``%``) into
``sha256sum``'s own escaped form on the fly, so names with a newline, a backslash or non-UTF-8
bytes are checked like any other. Command lines start with ``$ ``.
"""

from __future__ import annotations

from typing import Any

from forensic_kit.resources import templates_dir

VERIFY_LANGS = ("ar", "fr", "en")
CUSTODY_TMP = "/tmp/fkit-custody"

# BagIt line -> coreutils escaped line: only lines holding a backslash or an encoded CR/LF/% change:
# backslashes doubled, %0A -> \n, %0D -> \r, %25 -> %, and the line marked escaped with a leading "\".
PAYLOAD_CMD = (r"$ LC_ALL=C sed -e '/\\\|%0[AaDd]\|%25/!b' -e 's/\\/\\\\/g;s/%0[Aa]/\\n/g;s/%0[Dd]/\\r/g;"
               r"s/%25/%/g;s/^/\\/' manifest-sha256.txt | sha256sum -c --quiet")
ADDED_CMD = ("$ test \"$(find data -type f -printf x | wc -c)\" = \"$(grep -c '' manifest-sha256.txt)\" "
             "&& echo 'no file added'")
CUSTODY_CMDS = (
    "$ printf '%s:' \"$(grep -c '' fkit/custody.jsonl)\"; tail -n 1 fkit/custody.jsonl | sha256sum",
    f"$ rm -rf {CUSTODY_TMP} && mkdir -p {CUSTODY_TMP} && python3 -c 'import json\n"
    "for n, line in enumerate(open(\"fkit/custody.jsonl\", \"rb\"), 1):\n"
    "    e = json.loads(line); body = {k: v for k, v in e.items() if k != \"signatures\"}\n"
    f"    open(\"{CUSTODY_TMP}/%d.body\" % n, \"wb\").write(json.dumps(body, ensure_ascii=False, sort_keys=True, "
    "separators=(\",\", \":\")).encode())\n"
    "    for s in e.get(\"signatures\") or []:\n"
    f"        open(\"{CUSTODY_TMP}/%d.%s.sig\" % (n, s[\"role\"]), \"w\").write(s[\"sshsig\"])'",
    f"$ for s in {CUSTODY_TMP}/*.sig; do p=$(ssh-keygen -Y find-principals -f fkit/allowed_signers -s \"$s\" "
    "| head -n 1); ssh-keygen -Y verify -f fkit/allowed_signers -I \"$p\" -n fkit-custody -s \"$s\" "
    "< \"${s%.*.sig}.body\" || echo \"BAD $s\"; done",
)


def _block(lines: list[str]) -> str:
    return "\n".join("   " + line.replace("\n", "\n     ") if line.startswith("$ ") else "   " + line
                     for line in lines)


def commands(manifest: dict[str, Any]) -> dict[str, str]:
    """The command blocks of VERIFY.txt for a sealed ``manifest`` (its JSON value)."""
    signer = manifest["signer"]
    checks = [f"$ echo '{manifest['bag']['manifest_sha256']}  manifest-sha256.txt' | sha256sum -c",
              f"$ echo '{manifest['records']['sha256']}  fkit/records.jsonl' | sha256sum -c"]
    for rel, digest in sorted((manifest.get("tag_files") or {}).items()):
        checks.append(f"$ echo '{digest}  {rel}' | sha256sum -c")
    return {
        "cmd_signature": _block([f"$ ssh-keygen -Y verify -f fkit/allowed_signers -I {signer['key_id']} "
                                 "-n fkit-manifest -s fkit/manifest.json.sshsig < fkit/manifest.json"]),
        "cmd_manifest_sha": _block(["$ sha256sum fkit/manifest.json"]),
        "cmd_lists": _block(checks),
        "cmd_payload": _block([PAYLOAD_CMD]),
        "cmd_added": _block([ADDED_CMD]),
        "cmd_custody": _block(list(CUSTODY_CMDS)),
    }


def render_verify_text(manifest: dict[str, Any], minisign: bool) -> bytes:
    """VERIFY.txt of a sealed package: the stock-tool steps in Arabic, French and English."""
    folder = templates_dir() / "verify"
    signer = manifest["signer"]
    values = {
        "case_id": manifest.get("case_id") or "", "signer_name": signer["name"], "key_id": signer["key_id"],
        "fingerprint": signer["fingerprint"], "created": manifest["created"]["utc"],
        "bag_sha256": manifest["bag"]["manifest_sha256"], "records_sha256": manifest["records"]["sha256"],
        "files": (manifest.get("payload") or {}).get("files", "?"),
        "minisign_step": (folder / "minisign.txt").read_text(encoding="utf-8") if minisign else "",
        **commands(manifest),
    }
    parts = [(folder / f"VERIFY.{lang}.txt").read_text(encoding="utf-8").format(**values) for lang in VERIFY_LANGS]
    return "\n".join(parts).encode("utf-8")


SUBSET_TEXT = {
    "en": ("=== HOW TO CHECK THIS DISCLOSED SUBSET (English) ===\n\n"
           "Case: {case_id}. Sealed by {signer_name} <{key_id}>, key {fingerprint}, at {created}.\n"
           "This folder holds some files of a sealed package, the signed manifest and, in fkit/proofs.jsonl,\n"
           "one line per file with its sealed record (holding its SHA-256) and a Merkle inclusion proof.\n\n"
           "1. Check who sealed the manifest (confirm the fingerprint by another channel):\n\n{cmd_signature}\n\n"
           "2. Check each disclosed file: its SHA-256 must equal the \"sha256\" value in its record line in\n"
           "   fkit/proofs.jsonl (each line must answer \": OK\"):\n\n{cmd_files}\n\n"
           "3. That each record belongs to the sealed whole (the Merkle proof) needs fkit:\n"
           "   fkit verify . --trust YOUR_allowed_signers\n"),
    "fr": ("=== COMMENT VÉRIFIER CET EXTRAIT COMMUNIQUÉ (Français) ===\n\n"
           "Affaire : {case_id}. Scellé par {signer_name} <{key_id}>, clé {fingerprint}, le {created}.\n"
           "Ce dossier contient certains fichiers d'un scellé, le manifeste signé et, dans fkit/proofs.jsonl,\n"
           "une ligne par fichier avec son enregistrement scellé (qui porte son SHA-256) et une preuve de Merkle.\n\n"
           "1. Vérifier qui a scellé le manifeste (confirmez l'empreinte par un autre canal) :\n\n{cmd_signature}\n\n"
           "2. Vérifier chaque fichier communiqué : son SHA-256 doit être la valeur \"sha256\" de sa ligne dans\n"
           "   fkit/proofs.jsonl (chaque ligne doit répondre « : OK ») :\n\n{cmd_files}\n\n"
           "3. L'appartenance de chaque enregistrement à l'ensemble scellé (preuve de Merkle) demande fkit :\n"
           "   fkit verify . --trust VOTRE_allowed_signers\n"),
    "ar": ("=== كيفية التحقق من هذا الجزء المُفصح عنه (العربية) ===\n\n"
           "القضية: {case_id}. خُتم من طرف {signer_name} <{key_id}>، المفتاح {fingerprint}، بتاريخ {created}.\n"
           "يحتوي هذا المجلد بعض ملفات حرز مختوم، والبيان الموقّع، وفي fkit/proofs.jsonl سطراً لكل ملف\n"
           "فيه سجله المختوم (مع بصمته SHA-256) وإثبات انتماء ميركل.\n\n"
           "1. التحقق ممن ختم البيان (تأكد من البصمة بوسيلة أخرى):\n\n{cmd_signature}\n\n"
           "2. التحقق من كل ملف: يجب أن تساوي بصمته SHA-256 القيمة \"sha256\" في سطر سجله في\n"
           "   fkit/proofs.jsonl (يجب أن يجيب كل سطر بـ \": OK\"):\n\n{cmd_files}\n\n"
           "3. انتماء كل سجل إلى الكل المختوم (إثبات ميركل) يحتاج إلى fkit:\n"
           "   fkit verify . --trust ملف_الثقة_الخاص_بك\n"),
}


def render_subset_verify_text(manifest: dict[str, Any], files: list[tuple[bytes, str]]) -> bytes:
    """VERIFY.txt for a ``fkit prove`` subset: ``files`` are (bag path bytes, sealed sha256 hex) of
    the disclosed files. The seal/share engineers call this when writing a subset."""
    signer = manifest["signer"]
    lines = []
    for name, digest in files:
        if all(32 <= b < 127 and b not in b"\\'%" for b in name):
            lines.append(f"$ echo '{digest}  {name.decode('ascii')}' | sha256sum -c")
            continue
        # sha256sum's escaped line, written with printf octal escapes: exact bytes for any name
        line = b"\\" + digest.encode() + b"  " + name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
        fmt = "".join(chr(b) if 32 <= b < 127 and b not in b"\\'%" else f"\\{b:03o}" for b in line)
        lines.append(f"$ printf '{fmt}\\n' | sha256sum -c")
    values = {"case_id": manifest.get("case_id") or "", "signer_name": signer["name"], "key_id": signer["key_id"],
              "fingerprint": signer["fingerprint"], "created": manifest["created"]["utc"],
              "cmd_signature": commands(manifest)["cmd_signature"], "cmd_files": _block(lines)}
    return "\n".join(SUBSET_TEXT[lang].format(**values) for lang in VERIFY_LANGS).encode("utf-8")
