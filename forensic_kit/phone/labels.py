"""Labels for raw type codes, read from data files (``labels/*.toml``). Codes stay raw in records."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def _load(name: str) -> dict[str, dict[str, str]]:
    text = resources.files("forensic_kit.phone").joinpath(f"labels/{name}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {str(k): {str(c): str(v) for c, v in t.items()} for k, t in data.items()}


def label(name: str, table: str, code: Any) -> str | None:
    """The label of ``code`` in table ``table`` of ``labels/<name>.toml``; ``None`` if unknown."""
    return _load(name).get(table, {}).get(str(code))


def names() -> list[str]:
    """The label files shipped."""
    return sorted(p.name[:-5] for p in resources.files("forensic_kit.phone").joinpath("labels").iterdir()
                  if p.name.endswith(".toml"))
