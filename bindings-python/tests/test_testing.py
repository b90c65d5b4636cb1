"""ghpkg.testing.Emulator, the in-process emulator users test their own
code with: fixtures, tokens, faults, latency, clock and the request log."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import pathlib
import time
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

import pytest

import ghpkg
from ghpkg import testing
from ghpkg.testing import Emulator, Fault

FIXTURE = {
    "users": [{"login": "alice", "id": 7}],
    "orgs": [{"login": "widgets", "admins": ["alice"]}],
    "tokens": [
        {
            "token": "ghp_alice_token",
            "user": "alice",
            "kind": "classic",
            "scopes": ["read:packages", "write:packages", "delete:packages", "repo"],
        },
    ],
    "packages": [
        {
            "owner": "widgets",
            "name": "gear",
            "package_type": "container",
            "visibility": "public",
            "versions": [
                {"name": "sha256:" + "a" * 64, "tags": ["v1"]},
                {"name": "sha256:" + "b" * 64, "tags": []},
            ],
        },
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
    for emu in (
        Emulator(FIXTURE),
        Emulator(path),
        Emulator(str(path)),
        Emulator.from_json(json.dumps(FIXTURE)),
    ):
        with emu, emu.client() as c:
            assert emu.token == "ghp_alice_token"
            pkg = c.get_package("container", "gear", org="widgets")
            assert pkg.version_count == 2
            untagged = [
                v.id for v in c.list_versions("container", "gear", org="widgets") if v.is_untagged
            ]
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
    assert Fault.redirect("/x", 301) == {"kind": "redirect", "location": "/x", "status": 301}


def test_fault_helpers_build_the_json_vocabulary() -> None:
    assert Fault.status(502) == {"kind": "status", "status": 502}
    assert Fault.latency(2.5) == {"kind": "latency", "delay_ms": 2500}
    assert Fault.latency(datetime.timedelta(milliseconds=40)) == {"kind": "latency", "delay_ms": 40}
    assert Fault.primary_rate_limit() == {"kind": "primary_rate_limit"}
    assert Fault.primary_rate_limit(reset_in=3599.5) == {
        "kind": "primary_rate_limit",
        "reset_in_seconds": 3600,
    }
    assert Fault.secondary_rate_limit() == {"kind": "secondary_rate_limit", "status": 403}
    assert Fault.secondary_rate_limit(retry_after=30, status=429) == {
        "kind": "secondary_rate_limit",
        "retry_after_seconds": 30,
        "status": 429,
    }
    assert Fault.redirect("/x") == {"kind": "redirect", "location": "/x", "status": 302}
    for name in (
        "drop_connection",
        "truncated_body",
        "malformed_json",
        "link_loop",
        "digest_mismatch",
        "token_expired",
    ):
        assert getattr(Fault, name)() == {"kind": name}
    assert Fault.link_header("<x>; rel=next") == {"kind": "link_header", "value": "<x>; rel=next"}
    assert Fault.foreign_realm() == {"kind": "foreign_realm"}
    assert Fault.foreign_realm("https://evil.invalid/token") == {
        "kind": "foreign_realm",
        "realm": "https://evil.invalid/token",
    }


def test_fault_dicts_times_and_refusals(emu: Emulator) -> None:
    with emu.client(max_retries=0, max_rate_limit_wait=0) as c:
        # A dict written by hand, with its own rule fields; times absent: once.
        emu.inject(
            {"kind": "secondary_rate_limit", "retry_after_seconds": 7, "path": "/hello-world"}
        )
        with pytest.raises(ghpkg.RateLimitError) as info:
            c.get_package("npm", "hello-world")
        assert info.value.status == 403, "the secondary limit's default status"
        assert c.get_package("npm", "hello-world").id == 1001
        # times=None: every matching request, until cleared.
        emu.inject({"kind": "status", "status": 502, "times": None, "method": "get"})
        for _ in range(3):
            with pytest.raises(ghpkg.ServerError):
                c.get_package("npm", "hello-world")
        emu.clear_faults()
        emu.inject(Fault.status(503), path="/ui-kit", times=2)
        statuses = []
        for _ in range(3):
            try:
                c.get_package("npm", "ui-kit", org="acme")
                statuses.append(200)
            except ghpkg.ServerError as e:
                statuses.append(e.status)
        assert statuses == [503, 503, 200]
    # The emulator checks the rule and says why it refuses it.
    for bad, reason in [
        ({"kind": "explode"}, "unknown fault kind"),
        ({"kind": "status"}, "needs `status`"),
        ({"kind": "status", "status": 42}, "between 100 and 599"),
        ({"kind": "redirect", "location": "/x", "status": 200}, "3xx"),
        ({"kind": "secondary_rate_limit", "status": 500}, "403 or 429"),
        ({"kind": "status", "status": 500, "times": 0}, "at least 1"),
        ({"kind": "status", "status": 500, "colour": "red"}, "unknown field `colour`"),
        ({"kind": "drop_connection", "delay_ms": 5}, "does not apply"),
    ]:
        with pytest.raises(ValueError, match=reason):
            emu.inject(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path is given both"):
        emu.inject({"kind": "link_loop", "path": "/a"}, path="/b")
    with pytest.raises(TypeError, match="mapping"):
        emu.inject("status")  # type: ignore[arg-type]
    with emu.client(max_retries=0) as c:
        assert c.get_package("npm", "hello-world").id == 1001, "refused rules were never added"


def test_default_token_and_token_constants() -> None:
    names = [name for name, _, _ in testing.DEMO_TOKENS]
    assert names[0] == "DEMO_TOKEN"
    declared = [n for n in testing.__annotations__ if n.endswith("_TOKEN")]
    assert declared == names, "the typed declarations follow the emulator's table"
    assert [n for n in testing.__all__ if n.endswith("_TOKEN")] == names
    for name, token, description in testing.DEMO_TOKENS:
        assert getattr(testing, name) == token and description
    # A fixture's first classic token; None without one.
    fixture = {
        "tokens": [
            {"token": "github_pat_x", "user": "a", "kind": "fine_grained"},
            {"token": "ghp_first", "user": "a", "kind": "classic"},
            {"token": "ghp_second", "user": "a", "kind": "classic"},
        ]
    }
    with Emulator(fixture) as emu:
        assert emu.token == "ghp_first"
    with Emulator({"tokens": [{"token": "ghs_x", "user": "a", "kind": "app"}]}) as emu:
        assert emu.token is None


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


def _registry(
    emu: Emulator,
    path: str,
    *,
    method: str = "GET",
    bearer: Optional[str] = None,
    basic: Optional[str] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    """One request to the emulator's registry origin: (status, headers, body)."""
    headers = {"User-Agent": "ghpkg-tests"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if basic is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"x:{basic}".encode()).decode()
    req = urllib.request.Request(emu.registry_url + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def _pull_token(emu: Emulator, name: str, token: Optional[str]) -> str:
    status, _, body = _registry(emu, f"/token?scope=repository:{name}:pull", basic=token)
    assert status == 200, body
    token_value: str = json.loads(body)["token"]
    return token_value


def test_registry_origin() -> None:
    with Emulator() as emu:
        assert emu.registry_url.startswith("http://127.0.0.1:") and emu.registry_url != emu.url
        status, headers, _ = _registry(emu, "/v2/acme/api/server/manifests/latest")
        assert status == 401
        assert headers["www-authenticate"] == (
            f'Bearer realm="{emu.registry_url}/token",'
            f'service="{emu.registry_url[len("http://") :]}",'
            'scope="repository:acme/api/server:pull"'
        )
        t = _pull_token(emu, "acme/api/server", emu.token)
        status, headers, body = _registry(emu, "/v2/acme/api/server/manifests/latest", bearer=t)
        assert status == 200
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        assert headers["docker-content-digest"] == digest
        assert headers["content-type"] == "application/vnd.oci.image.index.v1+json"
        client = emu.client()
        index = client.get_version("container", "api/server", 5_000_000_001, org="acme")
        assert index.name == digest
        assert any(r.path == "/token" for r in emu.requests()), "registry requests are logged"
        # Faults reach the registry too.
        emu.inject(Fault.digest_mismatch(), path="/manifests/")
        status, headers, body = _registry(emu, "/v2/acme/api/server/manifests/latest", bearer=t)
        assert headers["docker-content-digest"] == digest
        assert "sha256:" + hashlib.sha256(body).hexdigest() != digest


INDEX = "application/vnd.oci.image.index.v1+json"
IMAGE = "application/vnd.oci.image.manifest.v1+json"
POPULAR = {
    "tokens": [
        {
            "token": "ghp_owner",
            "user": "owner",
            "kind": "classic",
            "scopes": ["read:packages", "write:packages", "delete:packages"],
        }
    ],
    "packages": [
        {
            "owner": "owner",
            "name": "app",
            "package_type": "container",
            "visibility": "public",
            "versions": [
                {
                    "id": 1,
                    "tags": ["latest"],
                    "manifest": {"schemaVersion": 2, "mediaType": INDEX, "manifests": []},
                },
                {
                    "id": 2,
                    "downloads": 5000,
                    "manifest": {"schemaVersion": 2, "mediaType": IMAGE, "layers": []},
                },
            ],
        },
    ],
}


@pytest.mark.parametrize("head_counts", [False, True])
def test_head_counts_as_download(head_counts: bool) -> None:
    with Emulator(POPULAR, head_counts_as_download=head_counts) as emu:
        client = emu.client()
        digest = client.get_version("container", "app", 2, user="owner").name
        t = _pull_token(emu, "owner/app", None)
        path = f"/v2/owner/app/manifests/{digest}"
        status, _, body = _registry(emu, path, method="HEAD", bearer=t)
        assert (status, body) == (200, b"")
        # At 5,001 downloads a public version cannot be deleted.
        if head_counts:
            with pytest.raises(ghpkg.RejectedError):
                client.delete_version("container", "app", 2, user="owner")
        else:
            client.delete_version("container", "app", 2, user="owner")
    with Emulator(POPULAR) as emu:
        emu.set_head_counts_as_download(True)
        t = _pull_token(emu, "owner/app", None)
        digest = emu.client().get_version("container", "app", 2, user="owner").name
        _registry(emu, f"/v2/owner/app/manifests/{digest}", method="HEAD", bearer=t)
        with pytest.raises(ghpkg.RejectedError):
            emu.client().delete_version("container", "app", 2, user="owner")


def test_restore_reattaches_tags() -> None:
    with Emulator(restore_reattaches_tags=False) as emu:
        client = emu.client()
        client.delete_version("container", "api/server", 20016, org="acme")
        client.restore_version("container", "api/server", 20016, org="acme")
        assert client.get_version("container", "api/server", 20016, org="acme").tags == []
        emu.set_restore_reattaches_tags(True)
        client.delete_version("container", "api/server", 20015, org="acme")
        client.restore_version("container", "api/server", 20015, org="acme")
        assert client.get_version("container", "api/server", 20015, org="acme").tags == ["1.1.0"]
