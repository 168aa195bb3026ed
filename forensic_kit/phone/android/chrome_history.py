"""Chromium browser history (Chrome, Samsung Internet, Edge...: ``History``: ``urls`` + ``visits``).

``visit_time`` is WebKit microseconds since 1601 (UTC). One record per visit.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from forensic_kit import timeutil
from forensic_kit.phone.base import Context, SqliteParser, when
from forensic_kit.records import Record

_CORE = 0xFF  # PageTransition core type mask


class ChromeHistory(SqliteParser):
    """``visits`` joined to ``urls`` → ``phone.browser_visit`` (URL, title, time, transition)."""

    NAME = "android_chrome_history"
    VERSION = "1"
    KIND = "phone.browser_visit"
    PLATFORM = "android"
    APP_IDS = ("com.android.chrome", "com.sec.android.app.sbrowser", "com.chrome.beta", "com.microsoft.emmx",
               "com.brave.browser")
    FILENAMES = ("history",)
    LABELS = "android"
    TABLE = "visits"
    REQUIRED = {"visits": ("id", "url", "visit_time"), "urls": ("id", "url", "title")}
    OPTIONAL = {"visits": ("transition", "visit_duration", "from_visit"), "urls": ("visit_count", "typed_count")}
    QUERY = ("SELECT visits.id AS rowid, urls.url AS url, urls.title AS title, visits.visit_time AS visit_time{opt} "
             "FROM visits LEFT JOIN urls ON urls.id = visits.url ORDER BY visits.id")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        trans = row["transition"]
        core = trans & _CORE if isinstance(trans, int) else None
        browser = "samsung_internet" if "com.sec.android.app.sbrowser" in str(locator.get("path")) else "chromium"
        return self.record(ctx, locator, app=browser, url=row["url"], title=row["title"],
                           time=when(timeutil.webkit_micros, row["visit_time"], "webkit_micros"),
                           transition=trans, transition_label=self.label("chrome_transition", core),
                           duration_us=row["visit_duration"], from_visit=row["from_visit"],
                           visit_count=row["visit_count"], typed_count=row["typed_count"])
