"""Translated report strings and layout data, read from ``templates/`` (data, not code).

``templates/strings/<lang>.toml`` holds ``[meta]`` (``direction = "ltr"|"rtl"``) and ``[strings]``.
``templates/report/custody.toml`` holds page margins, colours, sizes and column widths.
Adding a language is adding one strings file; a missing key falls back to English.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError, UsageError
from forensic_kit.resources import templates_dir

FALLBACK = "en"


@dataclass(frozen=True)
class Strings:
    """One language's strings."""

    lang: str
    rtl: bool
    table: dict[str, str]
    fallback: dict[str, str]

    def get(self, key: str, **values: Any) -> str:
        """The string ``key`` in this language (English when missing), with ``{name}`` filled in."""
        text = self.table.get(key, self.fallback.get(key))
        if text is None:
            raise InputError(f"templates: no string {key!r} in {self.lang} nor {FALLBACK}")
        return text.format(**values) if values else text


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: unreadable template ({exc})") from exc


def available_languages(root: Path | None = None) -> list[str]:
    """Language codes that have a strings file."""
    return sorted(p.stem for p in ((root or templates_dir()) / "strings").glob("*.toml"))


def load_strings(lang: str, root: Path | None = None) -> Strings:
    """Strings of ``lang`` (``UsageError`` when there is no such language file)."""
    base = (root or templates_dir()) / "strings"
    path = base / f"{lang}.toml"
    if not lang.replace("-", "").isalnum() or not path.is_file():
        raise UsageError(f"no report language {lang!r}; available: {', '.join(available_languages(root))}")
    data = _load_toml(path)
    fallback_data = _load_toml(base / f"{FALLBACK}.toml") if lang != FALLBACK else data
    table = data.get("strings")
    if not isinstance(table, dict):
        raise InputError(f"{path}: no [strings] table")
    meta = data.get("meta", {})
    return Strings(lang=lang, rtl=meta.get("direction") == "rtl", table={k: str(v) for k, v in table.items()},
                   fallback={k: str(v) for k, v in fallback_data.get("strings", {}).items()})


def load_layout(name: str = "custody", root: Path | None = None) -> dict[str, Any]:
    """Layout data ``templates/report/<name>.toml``."""
    return _load_toml((root or templates_dir()) / "report" / f"{name}.toml")
