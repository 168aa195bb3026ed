"""``fkit export case-uco CASE``: the case as CASE/UCO JSON-LD (CASE ontology 1.x).

What is exported: the investigation (case id, agency), every exhibit as an observable with its
seal, one acquisition action per exhibit (performer, instrument fkit, time) whose result is a
provenance record holding the exhibit's files, every file with its name, bag path, size and
hashes, and every custody event as an investigative action with its own provenance record.
Identifiers are deterministic (UUIDv5 from case id + path), so the same case exports the same
graph. Written streaming: one object at a time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from forensic_kit import __version__
from forensic_kit.manifest.build import record_lines

CONTEXT = {
    "kb": "http://example.org/kb/",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_HASH_NAMES = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256", "sha512": "SHA512", "sha3-256": "SHA3-256"}
_NS = uuid.UUID("6f2b1c4e-8a53-5d0e-9a8b-0000000000f7")  # fkit's UUIDv5 namespace for CASE/UCO ids


def _id(kind: str, case_id: str, *parts: str) -> str:
    return f"kb:{kind}-{uuid.uuid5(_NS, '/'.join((case_id, kind, *parts)))}"


def _dt(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict):
        value = value.get("utc")
    if not isinstance(value, str) or "T" not in value:
        return None
    return {"@type": "xsd:dateTime", "@value": value}


def _person(case_id: str, name: str) -> dict[str, Any]:
    return {"@id": _id("person", case_id, name), "@type": "uco-identity:Person", "uco-core:name": name}


def _file_node(case_id: str, rec: dict[str, Any]) -> dict[str, Any]:
    bag_path = str(rec.get("bag_path"))
    facets: list[dict[str, Any]] = [{
        "@id": _id("file-facet", case_id, bag_path), "@type": "uco-observable:FileFacet",
        "uco-observable:fileName": bag_path.rsplit("/", 1)[-1],
        "uco-observable:filePath": bag_path,
        "uco-observable:isDirectory": {"@type": "xsd:boolean", "@value": "false"},
    }]
    if isinstance(rec.get("size"), int):
        facets[0]["uco-observable:sizeInBytes"] = {"@type": "xsd:integer", "@value": str(rec["size"])}
    hashes = []
    for algo, value in sorted((rec.get("hashes") or {}).items()):
        name = _HASH_NAMES.get(algo)
        if name is None or not isinstance(value, str):
            continue  # BLAKE3 is not in UCO's hash vocabulary; it stays in fkit's own records
        hashes.append({
            "@id": _id("hash", case_id, bag_path, algo), "@type": "uco-types:Hash",
            "uco-types:hashMethod": name,
            "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value.upper()},
        })
    if hashes:
        facets.append({"@id": _id("content-facet", case_id, bag_path), "@type": "uco-observable:ContentDataFacet",
                       "uco-observable:hash": hashes})
    return {"@id": _id("file", case_id, bag_path), "@type": "uco-observable:File", "uco-core:hasFacet": facets}


def export(case_root: Path, out: IO[str]) -> int:
    """Write the JSON-LD document for the case at ``case_root`` to ``out``; return the node count."""
    from forensic_kit.package import Case

    case = Case.open(case_root)
    info = case.info
    case_id = str(info.get("case_id") or case_root.name)
    nodes = 0
    out.write('{"@context":' + json.dumps(CONTEXT, sort_keys=True) + ',"@graph":[')
    first = True

    def emit(node: dict[str, Any]) -> None:
        nonlocal first, nodes
        out.write(("\n" if first else ",\n") + json.dumps(node, ensure_ascii=False, sort_keys=True))
        first = False
        nodes += 1

    tool = {"@id": _id("tool", case_id, "fkit", __version__), "@type": "uco-tool:Tool",
            "uco-core:name": "fkit", "uco-tool:version": __version__, "uco-tool:toolType": "evidence packaging"}
    emit(tool)
    officer = str(info.get("officer") or "unknown")
    emit(_person(case_id, officer))
    if info.get("agency"):
        emit({"@id": _id("org", case_id, str(info["agency"])), "@type": "uco-identity:Organization",
              "uco-core:name": str(info["agency"])})
    exhibits = case.exhibits()
    by_exhibit: dict[str, list[str]] = {str(ex.get("id")): [] for ex in exhibits}
    if case.records_path.is_file():
        for line in record_lines(case.records_path):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict) or rec.get("kind") != "file" or not rec.get("bag_path"):
                continue
            node = _file_node(case_id, rec)
            emit(node)
            by_exhibit.setdefault(str(rec.get("exhibit")), []).append(node["@id"])
    exhibit_ids = []
    for ex in exhibits:
        ex_id = str(ex.get("id"))
        dev_id = _id("exhibit", case_id, ex_id)
        exhibit_ids.append(dev_id)
        desc = " ".join(str(x) for x in (ex.get("description"), f"seal {ex['seal']}" if ex.get("seal") else None) if x)
        dev: dict[str, Any] = {"@id": dev_id, "@type": "uco-observable:ObservableObject", "uco-core:name": ex_id}
        if desc:
            dev["uco-core:description"] = desc
        emit(dev)
        prov_id = _id("provenance", case_id, ex_id)
        prov: dict[str, Any] = {"@id": prov_id, "@type": "case-investigation:ProvenanceRecord",
                                "case-investigation:exhibitNumber": ex_id,
                                "uco-core:object": [{"@id": i} for i in by_exhibit.get(ex_id, [])]}
        emit(prov)
        action: dict[str, Any] = {
            "@id": _id("acquisition", case_id, ex_id), "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "acquired", "uco-action:instrument": {"@id": tool["@id"]},
            "uco-action:performer": {"@id": _id("person", case_id, officer)},
            "uco-action:object": {"@id": dev_id}, "uco-action:result": {"@id": prov_id},
        }
        acq_value = ex.get("acquisition")
        acq: dict[str, Any] = acq_value if isinstance(acq_value, dict) else ex
        for src, dst in (("started", "uco-action:startTime"), ("ended", "uco-action:endTime")):
            t = _dt(acq.get(src))
            if t:
                action[dst] = t
        emit(action)
    for n, event in enumerate(_custody_events(case.fkit_dir / "custody.jsonl")):
        seq = str(event.get("seq", n))
        prov_id = _id("custody-provenance", case_id, seq)
        exhibits_ev = [str(e) for e in (event.get("exhibits") or [])]
        emit({"@id": prov_id, "@type": "case-investigation:ProvenanceRecord",
              "uco-core:description": f"custody event {seq}: {event.get('action')}",
              "uco-core:object": [{"@id": _id("exhibit", case_id, e)} for e in exhibits_ev]})
        act: dict[str, Any] = {"@id": _id("custody", case_id, seq), "@type": "case-investigation:InvestigativeAction",
                               "uco-core:name": str(event.get("action") or "custody"),
                               "uco-action:result": {"@id": prov_id}}
        when = event.get("time")
        t = _dt(when.get("utc") if isinstance(when, dict) else when)
        if t:
            act["uco-action:startTime"] = t
        by = event.get("released_by") or event.get("by")
        if isinstance(by, dict) and by.get("name"):
            person = _person(case_id, str(by["name"]))
            emit(person)
            act["uco-action:performer"] = {"@id": person["@id"]}
        emit(act)
    emit({"@id": _id("investigation", case_id), "@type": "case-investigation:Investigation",
          "uco-core:name": case_id, "uco-core:object": [{"@id": i} for i in exhibit_ids]})
    out.write("\n]}\n")
    return nodes


def _custody_events(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    for line in record_lines(path):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if isinstance(ev, dict):
            yield ev
