"""Test your own cleanup code against the in-process emulator (pytest style)."""

from typing import List

import ghpkg
from ghpkg.testing import Emulator, Fault


def untagged_ids(client: ghpkg.Client, org: str, image: str) -> List[int]:
    """The code under test: ids of the untagged versions of an image."""
    return [v.id for v in client.list_versions("container", image, org=org) if v.is_untagged]


def test_untagged_ids() -> None:
    with Emulator() as emu, emu.client(retry_backoff=0.01) as client:
        emu.inject(Fault.status(502), path="/versions", times=1)  # retried by ghpkg
        newest = [200120, 20014, 20013, 20012, 200151, 200150]  # a bundle, children, a partial
        oldest = [200140, 20018, 200134, 200133, 200132, 200131]  # a ghost, children, nested
        assert untagged_ids(client, "acme", "api/server") == newest + oldest
        assert [r.status for r in emu.requests()] == [502, 200]


if __name__ == "__main__":
    test_untagged_ids()
    print("ok")
