"""iOS backup ``Manifest.db``: installed apps (``AppDomain-<bundle>`` domains)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser
from forensic_kit.records import Record


class ManifestDbApps(SqliteParser):
    """Distinct ``AppDomain-*`` domains of ``Files`` → ``phone.app``."""

    NAME = "ios_manifest_db_apps"
    VERSION = "1"
    KIND = "phone.app"
    PLATFORM = "ios"
    FILENAMES = ("manifest.db",)
    TABLE = "Files"
    REQUIRED = {"Files": ("fileID", "domain")}
    QUERY = ("SELECT min(Files.rowid) AS rowid, Files.domain AS domain, count(*) AS files FROM Files "
             "WHERE Files.domain LIKE 'AppDomain-%' GROUP BY Files.domain ORDER BY Files.domain")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, bundle_id=str(row["domain"])[len("AppDomain-"):], domain=row["domain"],
                           files_in_backup=row["files"])
