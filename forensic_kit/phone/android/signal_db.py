"""Signal's message database: detected and reported, not read (it is encrypted with SQLCipher).

Android ``org.thoughtcrime.securesms/databases/signal.db``: the SQLCipher key is wrapped by the
Android Keystore (``databaseSecret`` in ``shared_prefs/org.thoughtcrime.securesms_preferences.xml``,
decrypted with the device's hardware-backed key: needs the unlocked device or a full keystore
extraction). iOS ``grdb/signal.sqlite``: the key is ``GRDBDatabaseCipherKeySpec`` in the keychain
(a full-file-system extraction with keychain). The warning names what would open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.phone.xmlutil import UnsupportedFormat
from forensic_kit.records import Record

ANDROID_KEY = ("SQLCipher key: 'databaseSecret' (or 'pref_database_encrypted_secret') in shared_prefs/"
               "org.thoughtcrime.securesms_preferences.xml, itself encrypted by the Android Keystore key "
               "'SignalSecret': needs the unlocked phone or a keystore extraction")
IOS_KEY = ("SQLCipher key: keychain item 'GRDBDatabaseCipherKeySpec' (service 'GRDBKeyChainService'): needs a "
           "full-file-system extraction with the keychain")


class SignalDb(FileParser):
    """``signal.db`` / ``signal.sqlite`` → a warning saying it is Signal's encrypted store and what key opens it."""

    NAME = "signal_db"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("org.thoughtcrime.securesms", "org.whispersystems.signal")
    FILENAMES = ("signal.db", "signal.sqlite")

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        with open_evidence(path) as f:
            head = f.read(16)
        key = IOS_KEY if logical.lower().endswith(".sqlite") else ANDROID_KEY
        state = ("plain SQLite (already decrypted): fkit has no Signal table parser yet"
                 if head == b"SQLite format 3\x00" else "encrypted (SQLCipher), messages not read")
        raise UnsupportedFormat(f"Signal database, {state}; {key}")
        yield  # pragma: no cover - a generator that only raises
