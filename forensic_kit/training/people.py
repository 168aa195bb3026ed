"""The cast of a mock case: people, phone numbers (regional E.164) and places, drawn from a seeded RNG.

Everything is synthetic. Numbers are built in the national mobile ranges of each country so that
``phonenumbers`` accepts them, but the subscriber digits are random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# country code -> (region, mobile prefixes, subscriber digits after the prefix)
_MOBILE: dict[str, tuple[str, tuple[str, ...], int]] = {
    "218": ("LY", ("91", "92", "94"), 7),
    "227": ("NE", ("90", "96", "98"), 6),
    "216": ("TN", ("20", "22", "50", "98"), 6),
    "212": ("MA", ("661", "662", "670"), 6),
    "20": ("EG", ("100", "111", "122"), 7),
    "213": ("DZ", ("550", "661", "770"), 6),
}


@dataclass(frozen=True)
class Person:
    """One synthetic person with a mobile number."""

    name: str
    lang: str  # ar, fr or en: the language this contact writes in
    number: str  # E.164


@dataclass(frozen=True)
class Place:
    """A stop on the route (decimal degrees, UTC offset of local time there)."""

    name: str
    lat: float
    lon: float
    offset_h: int
    country: str


ROUTE: tuple[Place, ...] = (
    Place("Agadez", 16.9742, 7.9865, 1, "NE"),
    Place("Sabha", 27.0377, 14.4283, 2, "LY"),
    Place("Tripoli", 32.8872, 13.1913, 2, "LY"),
    Place("Zuwara", 32.9312, 12.0819, 2, "LY"),
)

_NAMES = {
    "ar": ["أحمد الطرابلسي", "عمر السبهاوي", "خالد المصراتي", "سالم الزواري", "يوسف بن علي",
           "محمود القذافي", "فاطمة الزهراء", "عبد الله الفزاني", "مصطفى الجزائري", "نور الهدى"],
    "fr": ["Moussa Issoufou", "Ibrahim Maïga", "Amadou Diallo", "Karim Benali", "Sophie Martin",
           "Yacine Bouzid", "Hamid Chérif", "Aïcha Traoré", "Rachid El Idrissi", "Mehdi Saïdi"],
    "en": ["John Carter", "Samir Haddad", "David Okoro", "Ali Hassan", "Mary Johnson",
           "Tarek Mansour", "Omar Farouk", "Peter Mensah", "Lina Aziz", "Adam Yusuf"],
}


def mobile_number(rng: random.Random, cc: str) -> str:
    """A random E.164 mobile number in country calling code ``cc``."""
    _, prefixes, digits = _MOBILE[cc]
    return "+" + cc + rng.choice(prefixes) + "".join(str(rng.randrange(10)) for _ in range(digits))


@dataclass(frozen=True)
class Cast:
    """Owners of the two phones, the contacts they share, and those each has alone."""

    owner1: Person
    owner2: Person
    shared: tuple[Person, ...]
    only1: tuple[Person, ...]
    only2: tuple[Person, ...]


def make_cast(rng: random.Random) -> Cast:
    """Draw the cast: 4 shared contacts (the network), 4 + 3 private ones, two owners."""
    used: set[str] = set()
    pools = {k: list(v) for k, v in _NAMES.items()}
    for pool in pools.values():
        rng.shuffle(pool)

    def person(lang: str, cc: str) -> Person:
        while True:
            number = mobile_number(rng, cc)
            if number not in used:
                used.add(number)
                return Person(pools[lang].pop(), lang, number)

    owner1 = person("ar", "218")
    owner2 = person("fr", "227")
    shared = (person("ar", "218"), person("fr", "227"), person("fr", "216"), person("en", "212"))
    only1 = (person("ar", "20"), person("fr", "213"), person("en", "216"), person("ar", "218"))
    only2 = (person("en", "227"), person("fr", "213"), person("ar", "20"))
    return Cast(owner1, owner2, shared, only1, only2)
