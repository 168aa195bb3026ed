"""Safari history (iOS ``History.db``: ``history_items`` + ``history_visits``; ``visit_time`` is Cocoa seconds)."""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, cocoa_s
from forensic_kit.records import Record


class SafariHistory(SqliteParser):
    """``history_visits`` joined to ``history_items`` → ``phone.browser_visit``."""

    NAME = "ios_safari_history"
    VERSION = "1"
    KIND = "phone.browser_visit"
    PLATFORM = "ios"
    APP_IDS = ("com.apple.mobilesafari",)
    FILENAMES = ("history.db",)
    TABLE = "history_visits"
    REQUIRED = {"history_visits": ("id", "history_item", "visit_time"), "history_items": ("id", "url")}
    OPTIONAL = {"history_visits": ("title", "load_successful", "redirect_source", "redirect_destination", "origin"),
                "history_items": ("visit_count", "domain_expansion")}
    QUERY = ("SELECT history_visits.id AS rowid, history_items.url AS url, history_visits.visit_time AS visit_time{opt} "
             "FROM history_visits LEFT JOIN history_items ON history_items.id = history_visits.history_item "
             "ORDER BY history_visits.id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        return self.record(ctx, locator, app="safari", url=row["url"], title=row["title"],
                           time=cocoa_s(row["visit_time"]), load_successful=row["load_successful"],
                           redirect_source=row["redirect_source"], redirect_destination=row["redirect_destination"],
                           origin=row["origin"], visit_count=row["visit_count"])
