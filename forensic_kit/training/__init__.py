"""Mock-trial case generator: synthetic evidence run through the real fkit pipeline, with planted flaws.

:func:`forensic_kit.training.case.generate_case` is the entry point (``fkit training new`` and
``make demo`` call it).
"""

from __future__ import annotations

from forensic_kit.training.flaws import FLAWS

__all__ = ["FLAWS", "generate_case"]


def __getattr__(name: str) -> object:
    if name == "generate_case":
        from forensic_kit.training.case import generate_case

        return generate_case
    raise AttributeError(name)
