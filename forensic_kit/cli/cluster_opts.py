"""Connecting a command to a Dask cluster from its ``--cluster``/``--tls-*`` options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from forensic_kit.errors import UsageError


def client_for(cluster: str | None, tls_ca: Path | None, tls_cert: Path | None, tls_key: Path | None) -> Any:
    """A ``distributed.Client``, or None when no cluster is named (nothing of Dask is imported)."""
    import os

    address = cluster or os.environ.get("FKIT_CLUSTER") or None
    if not address:
        if tls_ca or tls_cert or tls_key:
            raise UsageError("--tls-ca/--tls-cert/--tls-key go with --cluster tls://HOST:PORT")
        return None
    from forensic_kit.lab.cluster import Tls, connect

    tls = None
    if tls_ca or tls_cert or tls_key:
        if not (tls_ca and tls_cert and tls_key):
            raise UsageError("a TLS cluster needs all three of --tls-ca, --tls-cert and --tls-key")
        tls = Tls(tls_ca, tls_cert, tls_key)
    return connect(address.strip(), tls)
