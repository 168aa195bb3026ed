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
[ "$code" -eq 1 ] || { echo "demo: expected the audit to find the planted changes" >&2; exit 1; }

# 4. A whole mock case through the real pipeline (case init, acquire x4, phone, meta, manifest,
#    custody, custody PDF) with two planted flaws, then the checks a prosecutor would run.
run $FKIT training new "$OUT/mock-case" --seed 7 --flaws custody-gap,tampered-file > "$OUT/mock-case.json"
cd "$OUT/mock-case"
step "fkit verify case --trust trust/allowed_signers --report verify.pdf --json"
../../$FKIT verify case --trust trust/allowed_signers --report verify.pdf --json > verify.json
vcode=$?
step "fkit custody verify case --trust trust/allowed_signers"
../../$FKIT custody verify case --trust trust/allowed_signers > custody-verify.jsonl
ccode=$?
step "fkit phone links case"
../../$FKIT phone links case > links.jsonl 2>/dev/null
printf '  %s identifiers seen on more than one exhibit\n' "$(grep -c . links.jsonl)" >&2
cd ../..
cat >&2 <<TXT

What the demo found
  - fkit audit: the edited, renamed, deleted and added files of the sample folder (exit $code).
  - fkit verify on the mock case (exit $vcode): the tampered build.prop and the custody gap.
  - fkit custody verify (exit $ccode): names each broken hand-over in one sentence.
Where to look
  $OUT/mock-case/custody-record.pdf   chain-of-custody record (trilingual, TRAINING watermark)
  $OUT/mock-case/verify.pdf           verification certificate
  $OUT/mock-case/handout.pdf          trainees' case file;  answer-key.pdf: the instructor's key
  $OUT/mock-case/case/VERIFY.txt      how to check the package with sha256sum and ssh-keygen only
TXT
[ "$vcode" -eq 1 ] && [ "$ccode" -eq 1 ] || { echo "demo: expected both planted flaws to be found" >&2; exit 1; }
