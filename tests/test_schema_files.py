"""schemas/ holds the JSON Schemas generated from summarizer.schema; stale files fail here."""

from __future__ import annotations

import json

from summarizer.schema import json_schemas
from tests.conftest import ROOT


def test_schema_files_are_current() -> None:
    for name, body in json_schemas().items():
        path = ROOT / "schemas" / name
        assert path.is_file(), f"{path} missing: run `summarizer schema --write schemas`"
        on_disk = json.loads(path.read_text("utf-8"))
        assert on_disk == body, f"{path} is stale: run `summarizer schema --write schemas`"


def test_contract_fields_exist() -> None:
    schemas = json_schemas()
    briefing = schemas["briefing.schema.json"]
    for field in (
        "event",
        "sources",
        "actors",
        "positions",
        "commitments",
        "open_questions",
        "conflicts",
    ):
        assert field in briefing["properties"]
    defs = briefing["$defs"]
    assert {"source", "quote", "start", "end"} <= set(defs["Evidence"]["properties"])
    assert {
        "actor",
        "beneficiary",
        "action",
        "conditions",
        "timeframe",
        "status",
        "sources",
        "evidence",
    } <= set(defs["Commitment"]["properties"])
    assert {"topic", "claims"} <= set(defs["Conflict"]["properties"])
    assert {"source", "value", "quote"} <= set(defs["Claim"]["properties"])
