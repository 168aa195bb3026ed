"""Connecting a command to a Dask cluster from its ``--cluster``/``--tls-*`` options."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from forensic_kit.errors import UsageError


class _Connecting:
    """A ``distributed.Client`` being connected in the background: importing ``distributed`` and
    the handshake (about a second) overlap the command's own local work (walking the folders,
    checking a package's signature and Merkle root). The first use of any attribute waits for it,
    and raises the connection's error (``ClusterError``: one line, exit 4) there."""

    def __init__(self, address: str, tls: Any) -> None:
        self._client: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._connect, args=(address, tls), name="fkit-cluster-connect",
                                        daemon=True)
        self._thread.start()

    def _connect(self, address: str, tls: Any) -> None:
        from forensic_kit.lab.cluster import connect

        try:
            self._client = connect(address, tls)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread at first use
            self._error = exc

    def __getattr__(self, name: str) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return getattr(self._client, name)


def client_for(cluster: str | None, tls_ca: Path | None, tls_cert: Path | None, tls_key: Path | None) -> Any:
    """A ``distributed.Client`` (connecting in the background), or None when no cluster is named
    (nothing of Dask is imported)."""
    import os

    address = cluster or os.environ.get("FKIT_CLUSTER") or None
    if not address:
        if tls_ca or tls_cert or tls_key:
            raise UsageError("--tls-ca/--tls-cert/--tls-key go with --cluster tls://HOST:PORT")
        return None
    from forensic_kit.lab.cluster import Tls

    tls = None
    if tls_ca or tls_cert or tls_key:
        if not (tls_ca and tls_cert and tls_key):
            raise UsageError("a TLS cluster needs all three of --tls-ca, --tls-cert and --tls-key")
        tls = Tls(tls_ca, tls_cert, tls_key)
    return _Connecting(address.strip(), tls)


def say_spot_check(bad: list[dict[str, str]], lie: str, agree: str, quiet: bool) -> bool:
    """Print the client's spot check of the workers' answers: one error line per disagreement
    (``lie`` formatted with the disagreement's ``worker``, ``path`` and ``reason``), else ``agree``
    unless ``quiet``. True when a worker's answer differed (the command then exits 1)."""
    from forensic_kit.cli import console

    for b in bad:
        console.error(lie.format(**b))
    if not bad and not quiet:
        console.say(agree)
    return bool(bad)
