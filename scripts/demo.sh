#!/usr/bin/env bash
# make demo: the most complete fkit pipeline on built-in sample data, shown command by command.
set -uo pipefail
cd "$(dirname "$0")/.."
FKIT=".venv/bin/fkit"
OUT="demo-out"
rm -rf "$OUT" && mkdir -p "$OUT"
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m'; N=$'\033[0m'; else B=""; N=""; fi
step() { printf '\n%s$ %s%s\n' "$B" "$*" "$N" >&2; }
run() { step "$*"; "$@"; }

run .venv/bin/python scripts/make_sample.py "$OUT/seized-phone"

# 1. Hash every file once (sha256 + blake3), keep a list any prosecutor can check with sha256sum.
step "$FKIT hash $OUT/seized-phone > $OUT/seized-phone.jsonl"
$FKIT hash "$OUT/seized-phone" > "$OUT/seized-phone.jsonl"
step "$FKIT hash -a sha256 -f sha256sum $OUT/seized-phone > $OUT/seized-phone.sha256"
$FKIT hash -q -a sha256 -f sha256sum "$OUT/seized-phone" > "$OUT/seized-phone.sha256"
run sha256sum -c "$OUT/seized-phone.sha256"

# 2. A deliberate change: one file edited, one renamed, one deleted, one added.
step "(tampering with the copy: edit, rename, delete, add)"
echo "ajout" >> "$OUT/seized-phone/procès-verbal.txt"
mv "$OUT/seized-phone/DCIM/IMG_0002.jpg" "$OUT/seized-phone/DCIM/IMG_0002-copy.jpg"
rm "$OUT/seized-phone/calls.csv"
echo "planted" > "$OUT/seized-phone/DCIM/new.txt"

# 3. Audit against the list made before: every file gets a verdict; exit 1 means differences.
step "$FKIT audit $OUT/seized-phone.jsonl $OUT/seized-phone"
$FKIT audit "$OUT/seized-phone.jsonl" "$OUT/seized-phone" > "$OUT/audit.jsonl"
code=$?
.venv/bin/python - "$OUT/audit.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    extra = f"  (was {r['known_path']})" if r.get("known_path") else ""
    print(f"  {r['verdict']:<10} {r['path']}{extra}", file=sys.stderr)
PY
printf '\nfkit audit exit code: %s (1 = differences found, as planted)\n' "$code" >&2
printf 'Outputs are in %s/\n' "$OUT" >&2
[ "$code" -eq 1 ] || { echo "demo: expected the audit to find the planted changes" >&2; exit 1; }
