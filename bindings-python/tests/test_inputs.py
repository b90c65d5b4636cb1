"""Hostile and wrong-typed inputs: names that try to change the endpoint,
values of the wrong Python type (TypeError), values that cannot be used
(InvalidArgumentError, a ValueError), options, the environment, and the
token never showing up."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict

import pytest

import ghpkg
from ghpkg.testing import DEMO_TOKEN, Emulator
from helpers import last, paths


@pytest.mark.parametrize(
    "who,name,encoded",
    [
        ({"user": "octocat"}, "my app", "my%20app"),
        ({"user": "octocat"}, "café-ünïcode", "caf%C3%A9-%C3%BCn%C3%AFcode"),
        ({"user": "octocat"}, "what?#hash", "what%3F%23hash"),
        ({"org": "acme"}, "org-repo/sub/image", "org-repo%2Fsub%2Fimage"),
        ({"org": "acme"}, "base images/alpine", "base%20images%2Falpine"),
    ],
)
def test_odd_names_go_as_one_encoded_segment(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], name: str, encoded: str
) -> None:
    pkg = client.get_package("container", name, **who)
    assert pkg.name == name
    prefix = "/orgs/acme" if "org" in who else "/users/octocat"
    assert paths(emu) == [f"GET {prefix}/packages/container/{encoded}"]


def test_percent_in_a_name(client: ghpkg.Client, emu: Emulator) -> None:
    assert client.get_package("npm", "100%-pure").name == "100%-pure"
    assert paths(emu) == ["GET /user/packages/npm/100%25-pure"]


@pytest.mark.parametrize("name", ["", ".", "..", "a\x00b", "line\nbreak", "tab\there"])
def test_unusable_names_are_refused_before_any_request(
    client: ghpkg.Client, emu: Emulator, name: str
) -> None:
    with pytest.raises(ghpkg.InvalidArgumentError) as info:
        client.get_package("npm", name, org="acme")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ghpkg.InvalidArgumentError):
        list(client.list_versions("npm", name))
    with pytest.raises(ghpkg.InvalidArgumentError):
        client.delete_package("npm", name, user="octocat")
    assert emu.requests() == []


@pytest.mark.parametrize("org", ["../user", "acme/../../user", "acme?x=1", "acme#frag", "%2e%2e"])
def test_owners_cannot_escape_their_segment(client: ghpkg.Client, emu: Emulator, org: str) -> None:
    with pytest.raises((ghpkg.NotFoundError, ghpkg.InvalidArgumentError)):
        client.get_package("npm", "ui-kit", org=org)
    for r in emu.requests():
        assert r.path.startswith("/orgs/") and r.path.endswith("/packages/npm/ui-kit")
        assert r.path.count("/") == 5, r.path
        assert r.query is None


def test_a_very_long_name_is_sent_not_truncated(client: ghpkg.Client, emu: Emulator) -> None:
    name = "x" * 5000
    with pytest.raises(ghpkg.NotFoundError):
        client.get_package("npm", name)
    assert last(emu).path == "/user/packages/npm/" + name


def test_lone_surrogates_are_a_value_error(client: ghpkg.Client, emu: Emulator) -> None:
    with pytest.raises(ValueError):
        client.get_package("npm", "bad\ud800name")
    assert emu.requests() == []


WRONG_TYPES: Dict[str, Callable[[ghpkg.Client], Any]] = {
    "name int": lambda c: c.get_package("npm", 123),
    "name None": lambda c: c.get_package("npm", None),
    "name bytes": lambda c: c.get_package("npm", b"hello-world"),
    "package_type int": lambda c: c.get_package(5, "x"),
    "package_type None": lambda c: c.list_packages(None),
    "org int": lambda c: c.get_package("npm", "x", org=5),
    "user list": lambda c: c.list_packages("npm", user=["octocat"]),
    "visibility int": lambda c: c.list_packages("npm", visibility=1),
    "state bool": lambda c: c.list_versions("npm", "x", state=True),
    "version_id str": lambda c: c.get_version("npm", "x", "10011"),
    "version_id float": lambda c: c.get_version("npm", "x", 10011.0),
    "version_id bool": lambda c: c.delete_version("npm", "x", True),
    "version_id None": lambda c: c.restore_version("npm", "x", None),
    "restore token int": lambda c: c.restore_package("npm", "x", token=5),
    "resource int": lambda c: c.catalog_select(5),
    "catalog params list": lambda c: c.catalog_select("packages", [("org", "acme")]),
    "catalog param value": lambda c: c.catalog_select("packages", {"org": object()}),
    "catalog param key": lambda c: c.catalog_select("packages", {1: "acme"}),
    "catalog method int": lambda c: c.catalog_exec("packages", 7, {}),
    "missing argument": lambda c: c.get_package("npm"),
    "unknown keyword": lambda c: c.get_package("npm", "x", owner="acme"),
    "owner positional": lambda c: c.get_package("npm", "x", "acme"),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_wrong_types_are_type_errors(client: ghpkg.Client, emu: Emulator, case: str) -> None:
    with pytest.raises(TypeError) as info:
        WRONG_TYPES[case](client)
    assert not isinstance(info.value, ghpkg.GhpkgError)
    assert emu.requests() == []


def test_type_error_messages_name_the_argument(client: ghpkg.Client) -> None:
    with pytest.raises(TypeError, match="name must be a str, not int"):
        client.get_package("npm", 123)
    with pytest.raises(
        TypeError, match=r"package_type must be a str or ghpkg\.PackageType, not int"
    ):
        client.get_package(5, "x")
    with pytest.raises(TypeError, match="version_id must be an int, not str"):
        client.get_version("npm", "x", "1")
    with pytest.raises(TypeError, match="org must be a str, not int"):
        client.list_packages("npm", org=5)


BAD_VALUES: Dict[str, Callable[[ghpkg.Client], Any]] = {
    "unknown package type": lambda c: c.get_package("containers", "x"),
    "package type case": lambda c: c.get_package("NPM", "x"),
    "unknown visibility": lambda c: c.list_packages("npm", visibility="secret"),
    "unknown state": lambda c: c.list_versions("npm", "x", state="gone"),
    "org and user": lambda c: c.get_package("npm", "x", org="acme", user="octocat"),
    "empty org": lambda c: c.get_package("npm", "x", org=""),
    "version id 0": lambda c: c.get_version("npm", "x", 0),
    "negative version id": lambda c: c.get_version("npm", "x", -1),
    "huge version id": lambda c: c.get_version("npm", "x", 2**64),
    "empty restore token": lambda c: c.restore_package("npm", "x", token=""),
    "unknown resource": lambda c: c.catalog_select("pkgs", org="acme"),
    "unknown method": lambda c: c.catalog_exec("packages", "drop_table", {}),
    "infinite param": lambda c: c.catalog_select("packages", org="acme", package_type=float("inf")),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_unusable_values_are_invalid_argument_errors(
    client: ghpkg.Client, emu: Emulator, case: str
) -> None:
    with pytest.raises(ghpkg.InvalidArgumentError) as info:
        BAD_VALUES[case](client)
    assert isinstance(info.value, ValueError) and info.value.status is None
    assert emu.requests() == []


def test_enum_members_and_strings_are_interchangeable(client: ghpkg.Client, emu: Emulator) -> None:
    a = client.get_package(ghpkg.PackageType.NPM, "hello-world")
    b = client.get_package("npm", "hello-world")
    assert a == b
    vs = client.list_versions(
        ghpkg.PackageType.CONTAINER, "api/server", org="acme", state=ghpkg.VersionState.DELETED
    ).collect()
    assert [v.id for v in vs] == [20017]


def test_enums_match_the_core() -> None:
    for name, values in _native_enum_values().items():
        assert [m.value for m in getattr(ghpkg, name)] == values
    assert str(ghpkg.PackageType.CONTAINER) == "container"
    assert ghpkg.PackageType("npm") is ghpkg.PackageType.NPM


def _native_enum_values() -> Dict[str, Any]:
    from ghpkg import _native

    return dict(_native.enum_values())


OPTION_ERRORS: Dict[str, Any] = {
    "timeout str": ({"timeout": "10"}, TypeError),
    "timeout bool": ({"timeout": True}, TypeError),
    "timeout negative": ({"timeout": -1}, ghpkg.InvalidArgumentError),
    "timeout nan": ({"timeout": float("nan")}, ghpkg.InvalidArgumentError),
    "max_retries float": ({"max_retries": 1.5}, TypeError),
    "max_retries negative": ({"max_retries": -1}, ghpkg.InvalidArgumentError),
    "per_page zero": ({"per_page": 0}, ghpkg.InvalidArgumentError),
    "per_page 101": ({"per_page": 101}, ghpkg.InvalidArgumentError),
    "base_url ftp": ({"base_url": "ftp://example.com"}, ghpkg.InvalidArgumentError),
    "base_url garbage": ({"base_url": "not a url"}, ghpkg.InvalidArgumentError),
    "base_url plain http": (
        {"base_url": "http://ghe.example.com/api/v3"},
        ghpkg.InvalidArgumentError,
    ),
    "base_url int": ({"base_url": 80}, TypeError),
    "token empty": ({"token": ""}, ghpkg.InvalidArgumentError),
    "token with space": ({"token": "ghp_a b"}, ghpkg.InvalidArgumentError),
    "token int": ({"token": 123}, TypeError),
    "username alone": ({"token": None, "username": "octocat"}, ghpkg.InvalidArgumentError),
    "anonymous and token": ({"anonymous": True}, ghpkg.InvalidArgumentError),
    "allow_insecure_http str": ({"allow_insecure_http": "yes"}, TypeError),
}


@pytest.mark.parametrize("case", list(OPTION_ERRORS))
def test_bad_options_fail_in_the_constructor(case: str) -> None:
    options, exc = OPTION_ERRORS[case]
    kwargs = {"token": DEMO_TOKEN, **options}
    with pytest.raises(exc):
        ghpkg.Client(**kwargs)
    with pytest.raises(exc):
        ghpkg.AsyncClient(**kwargs)


def test_good_options(emu: Emulator) -> None:
    c = ghpkg.Client(
        DEMO_TOKEN,
        base_url=emu.url + "/",
        timeout=datetime.timedelta(seconds=5),
        connect_timeout=2,
        max_retries=0,
        retry_backoff=0.01,
        max_rate_limit_wait=0.5,
        read_ahead=2,
        per_page=7,
        user_agent="x/1",
    )
    assert c.base_url == emu.url
    assert len(list(c.list_packages("container", org="acme"))) == 264
    assert ghpkg.Client(DEMO_TOKEN, base_url="http://insecure.example", allow_insecure_http=True)


def test_repr_never_shows_the_token(emu: Emulator) -> None:
    secret = "ghp_" + "s3cr3t" * 6
    for c in (
        ghpkg.Client(secret, base_url=emu.url),
        ghpkg.Client(secret, username="octocat", base_url=emu.url),
        ghpkg.AsyncClient(secret, base_url=emu.url),
    ):
        text = repr(c) + str(c)
        assert "s3cr3t" not in text
        assert emu.url in text and "classic" in text
        c.close()
        assert "s3cr3t" not in repr(c) and "closed" in repr(c)


def test_credentials_from_the_environment(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "STACKQL_GITHUB_USERNAME", "STACKQL_GITHUB_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", emu.url)
    monkeypatch.setenv("GH_TOKEN", DEMO_TOKEN)
    with ghpkg.Client() as c:
        assert c.base_url == emu.url and c.token_kind == "classic"
        assert c.get_package("npm", "hello-world").id == 1001
    assert last(emu).header("authorization") == f"Bearer {DEMO_TOKEN}"

    monkeypatch.delenv("GH_TOKEN")
    monkeypatch.setenv("STACKQL_GITHUB_USERNAME", "octocat")
    monkeypatch.setenv("STACKQL_GITHUB_PASSWORD", DEMO_TOKEN)
    with ghpkg.Client() as c:
        c.get_package("npm", "hello-world")
    auth = last(emu).header("authorization")
    assert auth is not None and auth.startswith("Basic ")

    # An explicit token wins over the environment, which still fills what is
    # unset (GITHUB_API_URL here); anonymous ignores the token there too, and
    # use_env=False reads nothing.
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    with ghpkg.Client(DEMO_TOKEN) as gh:
        assert gh.base_url == emu.url
    with ghpkg.Client(DEMO_TOKEN, use_env=False) as gh:
        assert gh.base_url == ghpkg.DEFAULT_BASE_URL
    with ghpkg.Client(use_env=False) as gh:
        assert gh.token_kind == "none"
    with ghpkg.Client(DEMO_TOKEN, base_url=emu.url) as c:
        c.get_package("npm", "hello-world")
    assert last(emu).header("authorization") == f"Bearer {DEMO_TOKEN}"
    with ghpkg.Client(anonymous=True, base_url=emu.url) as anon:
        assert anon.token_kind == "none"
        with pytest.raises(ghpkg.AuthenticationError) as info:
            anon.get_package("npm", "hello-world")
    assert last(emu).header("authorization") is None
    assert info.value.hint is not None and "GITHUB_TOKEN" in info.value.hint


def test_org_and_user_together_is_the_core_s_error(emu: Emulator) -> None:
    with emu.client() as c:
        with pytest.raises(ghpkg.InvalidArgumentError, match="either an org or a user, not both"):
            c.get_package("npm", "hello-world", org="acme", user="octocat")
    assert emu.requests() == []
