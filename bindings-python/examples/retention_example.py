"""Clean up a container registry by policy: plan, review, apply with
progress, undo. Run with GITHUB_TOKEN set (read:packages, delete:packages);
GHPKG_REGISTRY_URL points at another registry than the API host's, and
GHPKG_JOURNAL names the journal (default: journal.jsonl).
"""

import os

import ghpkg
from ghpkg.retention_types import Event

POLICY = {
    "owner": {"org": "acme"},
    "package_type": "container",
    "packages": {"include": ["api/*"]},
    "protect": {"tags": ["latest", "re:^v?\\d+\\.\\d+\\.\\d+$"]},
    "delete": [
        {"id": "broken", "index": "partial"},
        {"id": "ghosts", "index": "ghost"},
        {"id": "orphaned-signatures", "orphaned_referrer": True},
    ],
}


def main() -> None:
    registry = os.environ.get("GHPKG_REGISTRY_URL")
    journal = os.environ.get("GHPKG_JOURNAL", "journal.jsonl")
    with ghpkg.Client() as client:
        # Reads only: every version and, for images, every manifest.
        plan = client.retention.plan(POLICY, registry_url=registry)
        print(plan.render("table"))
        for change in plan.deletions():
            why = change["reasons"][0]["code"]
            print(f"will {change['action']} {change['package']} {change['version_id']}: {why}")

        # Review edits can only keep more: keep the partial index after all.
        partial = [
            c["version_id"] for c in plan.deletions() if c["reasons"][0]["code"] == "partial_index"
        ]
        plan = plan.without_versions(partial)

        # Each delete is journaled before it is sent; Ctrl-C stops between
        # deletes, and the same plan and journal resume the run.
        def progress(event: Event) -> None:
            if event["type"] == "outcome":
                print(f"{event['outcome']} {event['package']} {event['version_id']}")

        report = client.retention.apply(plan, journal=journal, progress=progress)
        print(f"{report['status']}: {report['counts']}")
        if report["verify"] is not None:
            verify = report["verify"]
            print(f"{verify['checked_tags']} kept tags resolve, {len(verify['broken'])} broken")

        # Within 30 days, everything the run deleted can come back.
        undone = client.retention.undo(journal)
        print(f"undo {undone['status']}: {undone['counts']}")


if __name__ == "__main__":
    main()
