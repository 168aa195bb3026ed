"""fkit (forensic_kit): evidence packaging, hashing and forensic triage.

The library is usable without the command line: every module below raises typed errors from
:mod:`forensic_kit.errors` and never prints or exits. Only :mod:`forensic_kit.cli` talks to a
terminal.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
