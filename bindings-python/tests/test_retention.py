"""Retention from Python against the emulator's REST API and registry:
the golden plans byte for byte, plan / apply with events / verify / undo on
a multi-arch image, stopping a run (Ctrl-C included) and resuming it, the
asyncio twin, and bad input that changes nothing."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import pathlib
import pickle
import signal
import threading
import typing
from typing import Any, Dict, List

import pytest

import ghpkg
from ghpkg import retention_types
from ghpkg.testing import Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDENS = ROOT / "tests" / "goldens"

OLD_RELEASES: Dict[str, Any] = {
    "owner": {"org": "acme"},
    "package_type": "container",
    "packages": {"include": ["api/server"]},
    "delete": [
        {"id": "old", "tags": ["1.1.0", "1.0.0"]},
        {"index": "ghost"},
        {"index": "partial"},
        {"orphaned_referrer": True},
    ],
}
UI_KIT: Dict[str, Any] = {
    "owner": {"org": "acme"},
    "package_type": "npm",
    "packages": {"include": ["ui-kit"]},
    "delete": [{"semver": "<3.0.0"}],
}


def deleted_ids(client: ghpkg.Client, name: str = "api/server", ty: str = "container") -> List[int]:
    return sorted(v.id for v in client.list_versions(ty, name, org="acme", state="deleted"))


def deletes_sent(emu: Emulator) -> int:
    return sum(1 for r in emu.requests() if r.method == "DELETE")


@pytest.mark.parametrize(
    "case", json.loads((GOLDENS / "cases.json").read_text()), ids=lambda c: c["name"]
)
def test_golden_plans(case: Dict[str, Any]) -> None:
    with Emulator() as emu, emu.client() as client:
        now = datetime.datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
        plan = client.retention.plan(case["policy"], now=now, registry_url=emu.registry_url)
        got = (
            plan.to_json()
            .replace(emu.url, "http://api.invalid")
            .replace(emu.registry_url, "http://registry.invalid")
            .replace(plan.id, "pln_0000000000000000")
            + "\n"
        )
        want = (GOLDENS / f"{case['name']}.plan.json").read_text(encoding="utf-8")
        assert got == want


def test_plan_apply_verify_undo(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    before = deleted_ids(client)
    plan = client.retention.plan(ghpkg.Policy(OLD_RELEASES), registry_url=emu.registry_url)
    assert isinstance(plan, ghpkg.Plan)
    assert plan.totals["delete"] == 7 and plan.totals["blocked"] == 0
    planned = sorted(a["version_id"] for a in plan.deletions())
    assert all(a["package"] == "api/server" for a in plan.deletions())
    verdicts = {a["version_id"]: a for a in plan.packages[0]["actions"]}
    assert verdicts[20012]["action"] == "keep"  # shared by latest
    assert verdicts[20012]["reasons"][0]["code"] == "child_of_kept"
    assert "| api/server | 19 | 12 | 7 | 0 | ok |" in plan.render("markdown")

    journal = tmp_path / "journal.jsonl"
    kinds: List[str] = []
    outcomes: List[str] = []
    report = None
    with client.retention.apply_events(plan, journal=journal) as events:
        for event in events:
            kinds.append(event["type"])
            if event["type"] == "outcome":
                outcomes.append(event["outcome"])
            if event["type"] == "report":
                report = event["report"]
    assert report is not None
    assert {"phase", "progress", "outcome", "report"} <= set(kinds)
    assert outcomes == ["deleted"] * 7
    assert report["status"] == "complete"
    assert report["counts"] == {"deleted": 7}
    assert report["verify"] == {"checked_tags": 3, "broken": []}
    assert deleted_ids(client) == sorted(before + planned)

    check = client.retention.verify(plan)
    assert check["broken"] == [] and check["checked_tags"] == 3

    dry = client.retention.undo(journal, dry_run=True)
    assert dry["counts"] == {"restorable": 7}
    undone = client.retention.undo(journal)
    assert undone["status"] == "complete"
    assert undone["counts"] == {"restored": 7}
    assert deleted_ids(client) == before


def test_apply_returns_the_report_and_reports_progress(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    plan = client.retention.plan(UI_KIT)
    seen: List[str] = []
    report = client.retention.apply(
        plan, journal=str(tmp_path / "j.jsonl"), progress=lambda e: seen.append(e["type"])
    )
    assert report["counts"] == {"deleted": 2}
    assert seen[-1] == "report" and "outcome" in seen


def test_closing_the_events_stops_the_run_and_the_journal_resumes_it(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    plan = client.retention.plan(UI_KIT)
    journal = tmp_path / "journal.jsonl"
    # One delete a minute: the second waits, and closing cuts the wait short.
    with client.retention.apply_events(plan, journal=journal, deletes_per_minute=1) as events:
        for event in events:
            if event["type"] == "outcome":
                break
    assert events.stopped
    assert deletes_sent(emu) == 1
    lines = journal.read_text().splitlines()
    assert json.loads(lines[-1])["record"] == "footer"
    report = client.retention.apply(plan, journal=journal)
    assert report["status"] == "complete"
    assert sorted(i["outcome"] for i in report["items"]) == ["deleted", "deleted"]
    assert deletes_sent(emu) == 2, "nothing deleted twice"


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="needs signal.raise_signal")
def test_ctrl_c_stops_between_deletes(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    plan = client.retention.plan(UI_KIT)
    journal = tmp_path / "journal.jsonl"
    events = client.retention.apply_events(plan, journal=journal, deletes_per_minute=1)
    timer = None
    with pytest.raises(KeyboardInterrupt):
        for event in events:
            if event["type"] == "outcome" and timer is None:
                # Ctrl-C while the run waits for the pace before its second delete.
                timer = threading.Timer(0.3, signal.raise_signal, (signal.SIGINT,))
                timer.start()
    assert events.stopped
    assert deletes_sent(emu) == 1
    assert json.loads(journal.read_text().splitlines()[-1])["record"] == "footer"
    report = client.retention.apply(plan, journal=journal)
    assert report["status"] == "complete"
    assert deletes_sent(emu) == 2


def test_untag_and_its_undo(emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path) -> None:
    policy = {
        "owner": {"org": "acme"},
        "package_type": "container",
        "untag": True,
        "packages": {"include": ["api/server"]},
        "delete": [{"tags": {"any": ["1.2.*"]}}],
    }
    plan = client.retention.plan(policy, registry_url=emu.registry_url)
    (change,) = plan.deletions()
    assert change["action"] == "untag" and change["untag_tags"] == ["1.2.0"]
    report = client.retention.apply(plan, journal=tmp_path / "j.jsonl")
    assert report["counts"] == {"untagged": 1}
    assert client.get_version("container", "api/server", 5000000001, org="acme").tags == ["latest"]
    client.retention.undo(tmp_path / "j.jsonl")
    assert sorted(client.get_version("container", "api/server", 5000000001, org="acme").tags) == [
        "1.2.0",
        "latest",
    ]


def test_async_retention(emu: Emulator, tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        async with emu.async_client() as client:
            plan = await client.retention.plan(OLD_RELEASES, registry_url=emu.registry_url)
            assert plan.totals["delete"] == 7
            types: List[str] = []
            async for event in client.retention.apply_events(plan, journal=tmp_path / "j.jsonl"):
                types.append(event["type"])
            assert types[-1] == "report" and types.count("outcome") == 7
            check = await client.retention.verify(plan)
            assert check["broken"] == []
            undone = await client.retention.undo(tmp_path / "j.jsonl")
            assert undone["counts"] == {"restored": 7}
            again = await client.retention.plan(UI_KIT)
            report = await client.retention.apply(again, journal=tmp_path / "k.jsonl")
            assert report["counts"] == {"deleted": 2}

    asyncio.run(main())


def test_recover_writes_a_journal_undo_restores(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    client.delete_version("npm", "ui-kit", 20021, org="acme")
    journal = tmp_path / "lost.jsonl"
    found = client.retention.recover("npm", "ui-kit", org="acme", since="1d", journal=journal)
    assert found == 1
    assert client.retention.undo(journal)["counts"] == {"restored": 1}
    assert deleted_ids(client, "ui-kit", "npm") == []


def test_policies_from_dicts_text_paths_and_other_tools(tmp_path: pathlib.Path) -> None:
    p = ghpkg.Policy(UI_KIT)
    assert p == ghpkg.Policy(json.dumps(UI_KIT))
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(UI_KIT))
    assert ghpkg.Policy(path) == p and ghpkg.Policy(str(path)) == p
    assert p.hash.startswith("sha256:")
    assert p.to_dict()["min_age"] == "1h"  # defaults written out
    assert repr(p).startswith("<ghpkg.Policy npm of acme sha256:")
    imported = ghpkg.Policy.from_tool(
        "vlaurin", {"organization": "acme", "container": "web", "prune-untagged": True}
    )
    assert imported.to_dict()["delete"][0]["untagged"] is True
    assert set(ghpkg.retention.IMPORT_TOOLS) == {"crp", "dataaxiom", "dpv", "vlaurin"}
    schemas = ghpkg.retention.schemas()
    assert schemas["plan.schema.json"]["title"] == "Plan"


def test_bad_input_is_a_typed_error_and_changes_nothing(
    emu: Emulator, client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    with pytest.raises(ghpkg.InvalidArgumentError, match="bogus"):
        ghpkg.Policy({**UI_KIT, "bogus": 1})
    with pytest.raises(ghpkg.InvalidArgumentError, match=r"delete\[0\]"):
        client.retention.plan({**UI_KIT, "delete": [{"tags": ["re:("]}]})
    with pytest.raises(ghpkg.InvalidArgumentError, match="cannot read the policy"):
        client.retention.plan(tmp_path / "missing.json")
    with pytest.raises(TypeError):
        client.retention.plan(42)  # type: ignore[arg-type]
    with pytest.raises(ghpkg.InvalidArgumentError, match="unknown tool"):
        ghpkg.Policy.from_tool("nope", {})

    plan = client.retention.plan(UI_KIT)
    edited = plan.to_json().replace("<3.0.0", "<9.0.0")
    with pytest.raises(ghpkg.InvalidArgumentError, match="edited by hand"):
        ghpkg.Plan.from_json(edited)
    with pytest.raises(ghpkg.InvalidArgumentError, match="unknown rendering"):
        plan.render("pdf")
    with pytest.raises(ghpkg.InvalidArgumentError, match="max_delets"):
        # An option the core does not know, passed as it would arrive from JSON.
        ghpkg._native.apply_events(client, plan, json.dumps({"journal": "j", "max_delets": 1}))
    with pytest.raises(ghpkg.InvalidArgumentError, match="timezone"):
        client.retention.plan(UI_KIT, now=datetime.datetime(2026, 1, 1))

    # A plan made against another host.
    with Emulator() as other, other.client() as elsewhere:
        with pytest.raises(ghpkg.InvalidArgumentError, match="was made against"):
            elsewhere.retention.apply(plan, journal=tmp_path / "j.jsonl")
        assert deletes_sent(other) == 0

    # A journal that is not one.
    junk = tmp_path / "junk.jsonl"
    junk.write_text("this is not a journal\n")
    with pytest.raises(ghpkg.InvalidArgumentError):
        client.retention.undo(junk)
    with pytest.raises(ghpkg.InvalidArgumentError):
        client.retention.apply(plan, journal=junk)
    assert deletes_sent(emu) == 0
    assert not (tmp_path / "j.jsonl").exists() or (tmp_path / "j.jsonl").read_text() == ""


def test_plans_pickle_edit_and_describe_themselves(client: ghpkg.Client) -> None:
    plan = client.retention.plan(UI_KIT)
    again = pickle.loads(pickle.dumps(plan))
    assert again == plan and again.to_json() == plan.to_json()
    assert ghpkg.Plan.from_json(plan.to_dict()) == plan
    assert ghpkg.Plan.from_json(plan.to_json().encode()) == plan
    assert repr(plan).startswith(f"<ghpkg.Plan {plan.id}: 2 to delete, 0 to untag")
    assert plan.now.tzinfo is not None
    kept = plan.without_versions([20021])
    assert kept.totals["delete"] == 1 and kept.edits[0]["version_id"] == 20021
    assert plan.only_packages([]).totals["delete"] == 0
    for fmt in ("markdown", "table", "json", "ndjson"):
        assert plan.render(fmt)
    assert json.loads(plan.render("json")) == plan.to_dict()


def _keys(td: Any) -> set:
    hints = typing.get_type_hints(td)
    return set(hints)


def test_the_typed_dicts_cover_what_the_core_sends(
    client: ghpkg.Client, tmp_path: pathlib.Path
) -> None:
    plan = client.retention.plan(UI_KIT).to_dict()
    assert set(plan) <= _keys(retention_types.PlanDict)
    assert set(plan["policy"]) <= _keys(retention_types.PolicyDict)
    package = plan["packages"][0]
    assert set(package) <= _keys(retention_types.PackagePlan)
    assert set(package["actions"][0]) <= _keys(retention_types.Action)
    report = client.retention.apply(client.retention.plan(UI_KIT), journal=tmp_path / "j.jsonl")
    assert set(report) <= _keys(retention_types.Report)
    assert set(report["items"][0]) <= _keys(retention_types.Item)
    assert os.fspath(tmp_path)
