"""Field-by-field comparison of fkit with the peers' recorded outputs (iLEAPP results/*.json, MVT's
oracle/*.json and the values MVT's tests assert). Used by ``test_peer_oracles.py`` (which asserts
agreement) and by ``python -m tests.phone.peer_oracles`` (which writes docs/phone-peers.md)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from tests.conftest import TESTDATA
from tests.phone.helpers import of, triage

MVT = TESTDATA / "phone" / "peers" / "mvt"
ILEAPP_CASES = TESTDATA / "phone" / "peers" / "ileapp" / "CASES.tsv"


@dataclass
class Row:
    """One line of the agreement table."""

    peer: str
    case: str
    what: str
    peer_count: int
    fkit_count: int
    fields: list[str]
    agreeing: int
    notes: list[str] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.peer_count == self.fkit_count == self.agreeing


def _compare(peer: str, case: str, what: str, theirs: list[tuple[Any, ...]], ours: list[tuple[Any, ...]],
             fields: list[str], notes: list[str] | None = None) -> Row:
    left = list(ours)
    agree = 0
    for t in theirs:
        if t in left:
            left.remove(t)
            agree += 1
    return Row(peer, case, what, len(theirs), len(ours), fields, agree, notes or [])


def _mvt_ms(text: str) -> str:
    return datetime.fromtimestamp(int(text) / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _local(rec_time: dict[str, Any] | None) -> str | None:
    return rec_time.get("local") if rec_time else None


def mvt_rows() -> list[Row]:
    """fkit against MVT 2026.10.26 (``oracle/``) and MVT's test assertions."""
    rows: list[Row] = []
    ora = MVT / "oracle"
    qf = triage(MVT / "artifacts" / "androidqf", region=None)
    props = of(qf, "phone.device", "android_getprop")[0]["properties"]
    theirs = [(p["name"], p["value"]) for p in json.loads((ora / "check-androidqf" / "aqf_get_prop.json").read_text())]
    rows.append(_compare("MVT", "androidqf", "getprop", theirs, list(props.items()), ["name", "value"]))
    theirs = [(p["name"], p["uid"], None if p["installer"] in ("null", "") else p["installer"], p["disabled"],
               p["system"], p["third_party"], tuple(f["sha256"] for f in p["files"]))
              for p in json.loads((ora / "check-androidqf" / "aqf_packages.json").read_text())]
    ours = [(a["package"], a["user_id"], a["installer"], a["disabled"], a["system"], a["third_party"],
             tuple(f["sha256"] for f in a["files"])) for a in of(qf, "phone.app", "android_androidqf_packages")]
    rows.append(_compare("MVT", "androidqf", "packages", theirs, ours,
                         ["name", "uid", "installer", "disabled", "system", "third_party", "APK sha256"]))
    theirs = [(s["namespace"], s["name"], s["value"])
              for s in json.loads((ora / "check-androidqf" / "aqf_settings.json").read_text())]
    ours = [(s["namespace"], s["name"], s["value"]) for s in of(qf, "phone.setting")]
    rows.append(_compare("MVT", "androidqf", "settings", theirs, ours, ["namespace", "name", "value"]))
    theirs = [(p["user"], p["pid"], p["ppid"], p["virtual_memory_size"], p["resident_set_size"], p["state"],
               p["command"]) for p in json.loads((ora / "check-androidqf" / "aqf_processes.json").read_text())]
    ours = [(p["user"], p["pid"], p["ppid"], p["vsz"], p["rss"], p["state"], p["command"].strip("[]"))
            for p in of(qf, "phone.process")]
    rows.append(_compare("MVT", "androidqf", "processes", theirs, ours,
                         ["user", "pid", "ppid", "vsz", "rss", "state", "command"],
                         ["MVT drops the [ ] ps writes around kernel threads ([kthreadd]); fkit keeps ps's text, "
                          "compared without them"]))
    rows.extend(_mvt_sms("androidqf (backup.ab)", qf, ora / "check-androidqf" / "sms.json"))
    for name, ab, pw in (("backup.ab", MVT / "artifacts/android_backup/backup.ab", None),
                         ("backup2.ab (password)", MVT / "artifacts/android_backup/backup2.ab", "123456"),
                         ("backup3.ab", MVT / "artifacts/android_backup/backup3.ab", None),
                         ("androidqf_encrypted/backup.ab", MVT / "artifacts/androidqf_encrypted/backup.ab", "123456")):
        oracle = {"backup.ab": "check-backup.backup.ab", "backup2.ab (password)": "check-backup.backup2.ab",
                  "backup3.ab": "check-backup.backup3.ab",
                  "androidqf_encrypted/backup.ab": "check-backup.androidqf_encrypted"}[name]
        rows.extend(_mvt_sms(name, triage(ab, region=None, backup_password=pw), ora / oracle / "sms.json"))
    br = triage(MVT / "artifacts" / "android_data" / "bugreport", region=None)
    theirs = [(p["package_name"], p["version_name"], p["installer"], p["timestamp"], p["last_update_time"],
               p["system"]) for p in json.loads((ora / "check-bugreport" / "dumpsys_packages.json").read_text())]
    ours = [(a["package"], a["version_name"], a["installer"], _local(a["file_time"]), _local(a["last_update"]),
             a["system"]) for a in of(br, "phone.app", "android_dumpsys_package")]
    rows.append(_compare("MVT", "bugreport", "dumpsys package", theirs, ours,
                         ["name", "version", "installer", "timeStamp", "last update", "system"]))
    theirs = [(p["package_name"], str(p["uid"]), tuple((q["name"], q["mode"], len(q["entries"]))
                                                       for q in p["permissions"]))
              for p in json.loads((ora / "check-bugreport" / "dumpsys_appops.json").read_text())]
    ours = [(a["package"], a["uid"], tuple((o["op"], o["mode"], len(o["entries"])) for o in a["ops"]))
            for a in of(br, "phone.app_ops")]
    rows.append(_compare("MVT", "bugreport", "dumpsys appops", theirs, ours,
                         ["package", "uid", "op", "mode", "access/reject entries"]))
    return rows


def _mvt_sms(case: str, recs: list[dict[str, Any]], oracle: Path) -> list[Row]:
    """SMS: address, body, date. MMS: MVT reads ``date`` (seconds) as milliseconds (1970-01-19 for
    2020-01-20): the raw value is compared, and the date is pinned separately in the tests."""
    data = json.loads(oracle.read_text())
    sms_t = [(m["address"], m["body"], _mvt_ms(m["date"])) for m in data if "address" in m]
    mms_t = [(m["body"], int(m["date"]), tuple(m["recipients"])) for m in data if "address" not in m]
    msgs = of(recs, "phone.message")
    sms_o = [(m["address"]["raw"], m["body"],
              datetime.fromisoformat(m["time"]["utc"]).strftime("%Y-%m-%d %H:%M:%S.%f")) for m in msgs
             if m["app"] == "sms"]
    mms_o = [(m["body"], m["time"]["raw"], tuple(s["raw"] for s in m["senders"])) for m in msgs if m["app"] == "mms"]
    rows = [_compare("MVT", case, "SMS", sms_t, sms_o, ["address", "body", "date (UTC)"])]
    if mms_t or mms_o:
        rows.append(_compare("MVT", case, "MMS", mms_t, mms_o, ["body", "date (raw)", "sender"],
                             ["MVT prints the date 1970-01-19 (seconds read as ms); fkit 2020-01-20T14:49:49Z"]))
    return rows


def mvt_test_rows() -> list[Row]:
    """The counts and first values MVT's own tests assert on ``artifacts/android_data``."""
    data = MVT / "artifacts" / "android_data"
    out: list[Row] = []
    checks: list[tuple[str, str, Callable[[list[dict[str, Any]]], list[Any]], list[Any]]] = [
        ("getprop.txt", "getprop (test_artifact_getprop)",
         lambda r: [len(r[0]["properties"]), next(iter(r[0]["properties"].items()))], [13, ("af.fast_track_multiplier", "1")]),
        ("ps.txt", "processes (test_artifact_processes)",
         lambda r: [len(r), r[0]["command"]], [17, "init"]),
        ("dumpsys_appops.txt", "appops (test_artifact_dumpsys_appops)",
         lambda r: [len(r), r[0]["package"], r[0]["uid"], len(r[0]["ops"]), r[0]["ops"][0]["op"], r[0]["ops"][0]["mode"],
                    r[6]["package"], len(r[6]["ops"][1]["entries"]), len(r[11]["ops"])],
         [13, "com.android.phone", "0", 1, "MANAGE_IPSEC_TUNNELS", "allow", "com.sec.factory.camera", 1, 4]),
        ("dumpsys_packages.txt", "packages (test_artifact_dumpsys_packages)",
         lambda r: [len(r), r[0]["version_name"], _local(r[0]["first_install"]), r[0]["system"]],
         [2, "5.0.07", "2008-12-31 16:00:00", True]),
    ]
    import shutil
    import tempfile

    for name, what, get, want in checks:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(data / name, Path(tmp) / name)
            recs = [r for r in triage(Path(tmp), region=None)
                    if r["kind"] not in ("phone.source", "phone.unparsed", "warning", "error")]
        got = get(recs)
        agree = sum(1 for a, b in zip(got, want) if a == b)
        out.append(Row("MVT tests", f"android_data/{name}", what, len(want), len(got), ["asserted values"], agree))
    return out


def ileapp_rows() -> list[Row]:
    """fkit against iLEAPP's recorded results for the cases where fkit has a parser."""
    rows: list[Row] = []
    cases = {(c["module"], c["artifact"], c["image"]): c for c in csv.DictReader(ILEAPP_CASES.open(), delimiter="\t")}

    def load(key: tuple[str, str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        c = cases[key]
        return triage(TESTDATA / c["input_zip"], region=None), json.loads((TESTDATA / c["results_json"]).read_text())

    recs, res = load(("appleWifiPlist", "appleWifiBSSList", "mvs_ios_2023"))
    theirs = [(r[0], r[1], r[2], r[3], r[4], r[7]) for r in res["data"]]
    ours = [(b["ssid"], b["bssid"], b["channel_flags"], b["channel"],
             int(datetime.fromisoformat(b["last_associated"]["utc"]).timestamp()),
             b["location"]["lat"] if b["location"] else "") for b in of(recs, "phone.wifi", "ios_wifi_known_network_bss")]
    rows.append(_compare("iLEAPP", "mvs_ios_2023", "Wi-Fi BSS list", theirs, ours,
                         ["SSID", "BSSID", "channel flags", "channel", "last associated", "latitude"]))
    recs, res = load(("appleWifiPlist", "appleWifiKnownNetworks", "mvs_ios_2023"))
    h = res["headers"]
    theirs = sorted((r[h.index("SSID")], r[h.index("BSSID")]) for r in res["data"])
    ours = sorted((w["ssid"], w["bssid"]) for w in of(recs, "phone.wifi", "ios_wifi_known_networks"))
    rows.append(_compare("iLEAPP", "mvs_ios_2023", "Wi-Fi known networks", theirs, ours, ["SSID", "BSSID"]))
    recs, res = load(("whatsApp", "whatsAppMessages", "josh_ios15_ffs"))
    h = res["headers"]
    body = h.index("Message") if "Message" in h else h.index("Message Content")
    theirs = sorted(str(r[body] or "") for r in res["data"])
    ours = sorted(str(m["body"] or "") for m in of(recs, "phone.message", "ios_whatsapp_messages"))
    rows.append(_compare("iLEAPP", "josh_ios15_ffs", "WhatsApp messages", [(t,) for t in theirs], [(o,) for o in ours],
                         ["message text"]))
    att = h.index("Attachment File")
    theirs = sorted(str(r[att]).replace("mock_hash_for_", "") for r in res["data"] if r[att])
    ours = sorted(a["path"].rsplit("/", 1)[-1] for m in of(recs, "phone.message", "ios_whatsapp_messages")
                  for a in m["attachments"])
    rows.append(_compare("iLEAPP", "josh_ios15_ffs", "WhatsApp attachments", [(t,) for t in theirs],
                         [(o,) for o in ours], ["file name"],
                         ["iLEAPP's recorded run names files mock_hash_for_<name> (its test harness)"]))
    lat, lon = h.index("Latitude"), h.index("Longitude")
    theirs = sorted((r[lat], r[lon]) for r in res["data"] if r[lat] != "")
    ours = sorted((m["location"]["lat"], m["location"]["lon"]) for m in of(recs, "phone.message", "ios_whatsapp_messages")
                  if m["location"])
    rows.append(_compare("iLEAPP", "josh_ios15_ffs", "WhatsApp shared locations", theirs, ours, ["latitude", "longitude"]))
    recs, res = load(("whatsApp", "whatsAppCallHistory", "josh_ios15_ffs"))
    rows.append(_compare("iLEAPP", "josh_ios15_ffs", "WhatsApp calls", [(1,)] * len(res["data"]),
                         [(1,)] * len(of(recs, "phone.call", "ios_whatsapp_calls")), ["count"]))
    recs, res = load(("addressBook", "addressBook", "josh_ios15_ffs"))
    rows.append(_compare("iLEAPP", "josh_ios15_ffs", "Address book", [(1,)] * len(res["data"]),
                         [(1,)] * len(of(recs, "phone.contact", "ios_addressbook")), ["count"]))
    for art in ("whatsAppContacts", "whatsAppCallHistory"):
        recs, res = load(("whatsApp", art, "mvs_ios_2023"))
        kind = "phone.contact" if art == "whatsAppContacts" else "phone.call"
        rows.append(_compare("iLEAPP", "mvs_ios_2023", f"WhatsApp {art[8:].lower()} (0 rows recorded)",
                             [(1,)] * len(res["data"]), [(1,)] * len([r for r in of(recs, kind)]), ["count"]))
    return rows


def table(rows: list[Row]) -> str:
    """The agreement table as Markdown."""
    out = ["| peer | case | artefact | peer count | fkit count | fields compared | agreeing | notes |",
           "|---|---|---|---:|---:|---|---:|---|"]
    for r in rows:
        out.append(f"| {r.peer} | {r.case} | {r.what} | {r.peer_count} | {r.fkit_count} | {', '.join(r.fields)} | "
                   f"{r.agreeing} | {'; '.join(r.notes)} |")
    return "\n".join(out)


if __name__ == "__main__":
    all_rows = mvt_rows() + mvt_test_rows() + ileapp_rows()
    sys.stdout.write(table(all_rows) + "\n")
