"""Jurisdiction profiles: ``profiles/*.toml`` loaded and validated into :class:`Profile`.

A profile is data, not code: languages (the first is authoritative), time zone, date format,
hash algorithms, phone region, paper size, required case fields and the training flag.
Adding a jurisdiction is adding one TOML file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forensic_kit.errors import InputError, UsageError
from forensic_kit.resources import profiles_dir

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
PAPER_SIZES = ("A4", "Letter")


@dataclass(frozen=True)
class Profile:
    """A validated jurisdiction profile."""

    name: str
    title: str
    languages: list[str]
    timezone: str
    date_format: str
    hash_algorithms: list[str]
    phone_region: str | None
    paper: str
    training: bool
    case_id_prefix: str
    required_fields: list[str]
    watermark: str | None = None
    legal_citation: str = ""
    """The law behind ``required_fields`` (code and articles; what could not be checked says so)."""
    citation_status: str = ""
    """Whether ``legal_citation`` was checked, e.g. "to be confirmed by the national focal point"."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def authoritative_language(self) -> str:
        """The language whose text prevails when translations differ."""
        return self.languages[0]

    @property
    def zone(self) -> ZoneInfo:
        """The profile's time zone."""
        return ZoneInfo(self.timezone)

    def check_case_id(self, case_id: str) -> None:
        """Raise ``UsageError`` when ``case_id`` lacks the profile's required prefix."""
        if self.case_id_prefix and not case_id.startswith(self.case_id_prefix):
            raise UsageError(
                f"profile {self.name!r} requires case ids starting with {self.case_id_prefix!r}; "
                f"got {case_id!r}"
            )


def profile_names() -> list[str]:
    """Names of every installed profile, sorted."""
    return sorted(p.stem for p in profiles_dir().glob("*.toml"))


def _str_list(name: str, data: dict[str, Any], key: str, allow_empty: bool = False) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"profile {name!r}: {key} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise InputError(f"profile {name!r}: {key} must not be empty")
    return list(value)


def _str(name: str, data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"profile {name!r}: {key} must be a string")
    return value


def parse_profile(name: str, data: dict[str, Any]) -> Profile:
    """Validate the TOML table ``data`` of profile ``name`` (``InputError`` when malformed)."""
    if data.get("name", name) != name:
        raise InputError(f"profile {name!r}: name field says {data.get('name')!r}")
    languages = _str_list(name, data, "languages")
    for lang in languages:
        if not _LANG.match(lang):
            raise InputError(f"profile {name!r}: {lang!r} is not a language code")
    timezone = _str(name, data, "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"profile {name!r}: unknown time zone {timezone!r}") from exc
    from forensic_kit.hashing import parse_algos

    algos = _str_list(name, data, "hash_algorithms")
    try:
        parse_algos(",".join(algos))
    except Exception as exc:  # noqa: BLE001 - any refusal is a bad profile
        raise InputError(f"profile {name!r}: hash_algorithms: {exc}") from exc
    region = data.get("phone_region")
    if region is not None and (not isinstance(region, str) or not re.fullmatch(r"[A-Z]{2}", region)):
        raise InputError(f"profile {name!r}: phone_region must be an ISO 3166 alpha-2 code")
    paper = _str(name, data, "paper", "A4")
    if paper not in PAPER_SIZES:
        raise InputError(f"profile {name!r}: paper must be one of {', '.join(PAPER_SIZES)}")
    training = data.get("training", False)
    if not isinstance(training, bool):
        raise InputError(f"profile {name!r}: training must be true or false")
    watermark = data.get("watermark")
    if watermark is not None and not isinstance(watermark, str):
        raise InputError(f"profile {name!r}: watermark must be a string")
    from forensic_kit.casefacts import EXHIBIT_FIELDS, FIELDS

    required = _str_list(name, data, "required_fields", allow_empty=True) if "required_fields" in data else []
    for req in required:
        if req not in FIELDS and req not in EXHIBIT_FIELDS:
            raise InputError(f"profile {name!r}: required field {req!r} is not a case fact "
                             f"({', '.join(FIELDS + EXHIBIT_FIELDS)})")
    known = {"name", "title", "languages", "timezone", "date_format", "hash_algorithms", "phone_region",
             "paper", "training", "case_id_prefix", "required_fields", "watermark", "legal_citation",
             "citation_status"}
    return Profile(
        name=name,
        title=_str(name, data, "title", name),
        languages=languages,
        timezone=timezone,
        date_format=_str(name, data, "date_format", "%Y-%m-%d %H:%M"),
        hash_algorithms=algos,
        phone_region=region,
        paper=paper,
        training=training,
        case_id_prefix=_str(name, data, "case_id_prefix", ""),
        required_fields=required,
        watermark=watermark,
        legal_citation=_str(name, data, "legal_citation", ""),
        citation_status=_str(name, data, "citation_status", ""),
        extra={k: v for k, v in data.items() if k not in known},
    )


def load_profile_file(path: Path) -> Profile:
    """Load and validate one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: unreadable profile ({exc})") from exc
    return parse_profile(path.stem, data)


def load_profile(name: str) -> Profile:
    """Load the installed profile ``name`` (``UsageError`` when there is no such profile)."""
    if not _NAME.match(name or ""):
        raise UsageError(f"unknown profile {name!r}; known: {', '.join(profile_names())}")
    path = profiles_dir() / f"{name}.toml"
    if not path.is_file():
        raise UsageError(f"unknown profile {name!r}; known: {', '.join(profile_names())}")
    return load_profile_file(path)
