"""Run every benchmark in bench/ (``make bench``), one after the other, and print their reports.

Each ``bench_*.py`` runs fkit and its peer tool in the same run and prints ratios. Extra
arguments are passed to every benchmark (for example ``--rounds 5``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n===== {script.name} =====", flush=True)
        res = subprocess.run([sys.executable, str(script), *sys.argv[1:]])
        if res.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
