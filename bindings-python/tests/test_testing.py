"""ghpkg.testing.Emulator, the in-process emulator users test their own
code with: fixtures, tokens, faults, latency, clock and the request log."""

from __future__ import annotations

import datetime
import json
import pathlib
import time

import pytest

import ghpkg
from ghpkg import testing
from ghpkg.testing import Emulator, Fault

FIXTURE = {
    "users": [{"login": "alice", "id": 7}],
    "orgs": [{"login": "widgets", "admins": ["alice"]}],
    "tokens": [
        {"token": "ghp_alice_token", "user": "alice", "kind": "classic",
         "scopes": ["read:packages", "write:packages", "delete:packages", "repo"]},
    ],
    "packages": [
        {"owner": "widgets", "name": "gear", "package_type": "container", "visibility": "public",
         "versions": [{"name": "sha256:" + "a" * 64, "tags": ["v1"]},
                      {"name": "sha256:" + "b" * 64, "tags": []}]},
    ],
}


def test_demo_dataset_and_tokens() -> None:
    with Emulator() as emu:
        assert emu.url.startswith("http://127.0.0.1:") and emu.token == testing.DEMO_TOKEN
        assert repr(emu) == f"<ghpkg.testing.Emulator url='{emu.url}'>"
        for name in testing.__all__:
            if name.endswith("_TOKEN"):
                assert isinstance(getattr(testing, name), str)
        assert testing.ACTIONS_TOKEN.startswith("ghs_")
    assert emu.closed
    with pytest.raises(RuntimeError, match="closed"):
        emu.requests()


def test_fixture_from_a_mapping_a_file_and_json(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(FIXTURE))
    for emu in (Emulator(FIXTURE), Emulator(path), Emulator(str(path)), Emulator.from_json(json.dumps(FIXTURE))):
        with emu, emu.client() as c:
            assert emu.token == "ghp_alice_token"
            pkg = c.get_package("container", "gear", org="widgets")
            assert pkg.version_count == 2
            untagged = [v.id for v in c.list_versions("container", "gear", org="widgets") if v.is_untagged]
            c.delete_version("container", "gear", untagged[0], org="widgets")


def test_bad_fixtures() -> None:
    with pytest.raises(ValueError):
        Emulator({"packages": [{"owner": "x", "name": "y", "package_type": "tarball"}]})
    with pytest.raises(TypeError):
        Emulator(42)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        Emulator("/nonexistent/fixture.json")


def test_request_log(emu: Emulator, client: ghpkg.Client) -> None:
    client.list_packages("npm", org="acme", visibility="private").collect()
    (r,) = emu.requests()
    assert (r.method, r.path, r.status) == ("GET", "/orgs/acme/packages", 200)
    assert r.query is not None and "visibility=private" in r.query
    assert r.header("AUTHORIZATION") == f"Bearer {emu.token}" and r.header("x-missing") is None
    emu.clear_requests()
    assert emu.requests() == []


def test_faults_apply_in_order_and_run_out(emu: Emulator) -> None:
    emu.inject(Fault.status(500), path="/orgs/acme", times=2)
    emu.inject(Fault.status(404), method="DELETE")
    with emu.client(retry_backoff=0.01) as c:
        assert c.get_package("npm", "ui-kit", org="acme").id == 2002
        assert [r.status for r in emu.requests()] == [500, 500, 200]
        with pytest.raises(ghpkg.NotFoundError):
            c.delete_package("npm", "100%-pure")
        c.delete_package("npm", "100%-pure")
        emu.inject(Fault.status(503), times=None)
        emu.clear_faults()
        assert c.get_package("npm", "ui-kit", org="acme").id == 2002
    assert Fault.status(500) == Fault.status(500) and Fault.status(500) != Fault.status(502)
    assert repr(Fault.redirect("/x", 301)) == "Fault('redirect', status=301, location='/x')"


def test_truncated_bodies_and_redirects(emu: Emulator) -> None:
    with emu.client(max_retries=0) as c:
        emu.inject(Fault.truncated_body())
        with pytest.raises((ghpkg.TransportError, ghpkg.DecodeError)):
            c.get_package("npm", "hello-world")
        # A redirect within the API origin is followed.
        emu.inject(Fault.redirect(emu.url + "/user/packages/npm/hello-world", 301))
        assert c.get_package("npm", "ignored").name == "hello-world"
        # One to another host is not: the token would leak.
        emu.inject(Fault.redirect("http://127.0.0.2:9/elsewhere", 302))
        with pytest.raises(ghpkg.TransportError):
            c.get_package("npm", "hello-world")


def test_latency(emu: Emulator) -> None:
    with emu.client() as c:
        emu.set_latency(0.2)
        start = time.monotonic()
        c.get_package("npm", "hello-world")
        assert time.monotonic() - start >= 0.2
        emu.set_latency(datetime.timedelta(0))
        emu.inject(Fault.latency(0.3))
        start = time.monotonic()
        c.get_package("npm", "hello-world")
        assert time.monotonic() - start >= 0.3
    with Emulator(latency=0.1) as slow, slow.client() as c:
        start = time.monotonic()
        c.get_package("npm", "hello-world")
        assert time.monotonic() - start >= 0.1


def test_clock_and_restore_window(emu: Emulator, client: ghpkg.Client) -> None:
    before = emu.now()
    assert before.tzinfo is not None
    client.delete_package("npm", "ui-kit", org="acme")
    emu.advance_clock(datetime.timedelta(days=31))
    assert emu.now() - before >= datetime.timedelta(days=31)
    with pytest.raises(ghpkg.GhpkgError):
        client.restore_package("npm", "ui-kit", org="acme")


def test_secondary_rate_limit_budget(emu: Emulator) -> None:
    emu.set_secondary_points_per_minute(3)
    with emu.client(max_rate_limit_wait=0) as c:
        for _ in range(3):
            c.get_package("npm", "hello-world")
        with pytest.raises(ghpkg.RateLimitError):
            c.get_package("npm", "hello-world")
        emu.reset_rate_limits()
        emu.set_secondary_points_per_minute(900)
        assert c.get_package("npm", "hello-world").id == 1001


def test_link_headers_switch(emu: Emulator) -> None:
    with Emulator(link_headers=False) as e, e.client(per_page=100) as c:
        assert len(c.list_packages("container", org="acme").collect()) == 264
        assert all(r.path == "/orgs/acme/packages" for r in e.requests())
        assert len(e.requests()) == 3


def test_async_client_helper(emu: Emulator) -> None:
    import asyncio

    async def main() -> str:
        async with emu.async_client(testing.HUBOT_TOKEN) as c:
            with pytest.raises(ghpkg.PermissionDeniedError):
                await c.delete_package("npm", "ui-kit", org="acme")
            return (await c.get_package("npm", "ui-kit", org="acme")).name

    assert asyncio.run(main()) == "ui-kit"
