"""Media metadata triage: type by content, EXIF/GPS with time zones, HEIC, video and audio.

Entry point: :func:`forensic_kit.media.runner.media_records` adds a ``media`` block to records
(every file parsed in isolation, bounded in time and memory). Exports (GeoJSON, KML, timeline
CSV) live in :mod:`forensic_kit.media.exports`.
"""

PARSER = "meta"
PARSER_VERSION = "1"
