"""Every exception class: the table from the core's error kinds, each kind
raised for real against the emulator with its fields, and pickling."""

from __future__ import annotations

import builtins
import datetime
import pickle
from typing import Callable, Dict

import pytest

import ghpkg
from ghpkg import _native, exceptions
from ghpkg.testing import FINE_GRAINED_TOKEN, READ_ONLY_TOKEN, Emulator, Fault

TABLE = _native.error_table()


def test_the_table_walks_every_core_kind() -> None:
    assert [n for _, _, n, _ in TABLE] == list(range(1, 12))
    names = [name for name, _, _, _ in TABLE]
    assert len(set(names)) == len(names) == 11
    for name, code, number, retryable in TABLE:
        cls = getattr(exceptions, name)
        assert issubclass(cls, ghpkg.GhpkgError) and cls is not ghpkg.GhpkgError
        assert getattr(ghpkg, name) is cls, f"ghpkg.{name} is exported"
        assert (cls.code, cls.number, cls.retryable) == (code, number, retryable)
    retryable_codes = {code for _, code, _, r in TABLE if r}
    assert retryable_codes == {"RATE_LIMITED", "SERVER", "TIMEOUT", "TRANSPORT"}
    assert ghpkg.AuthenticationError.code == "AUTHENTICATION"
    assert ghpkg.PermissionDeniedError.code == "PERMISSION_DENIED"
    declared = {n for n in exceptions.__all__ if n != "GhpkgError"}
    assert declared == set(names)


def test_builtin_bases() -> None:
    assert issubclass(ghpkg.InvalidArgumentError, ValueError)
    assert issubclass(ghpkg.TimeoutError, builtins.TimeoutError)
    assert issubclass(ghpkg.TransportError, ConnectionError)
    assert ghpkg.TimeoutError is not builtins.TimeoutError
    assert issubclass(ghpkg.ClientClosedError, RuntimeError)
    for name, _, _, _ in TABLE:
        assert issubclass(getattr(ghpkg, name), Exception)


def invalid(emu: Emulator) -> None:
    with emu.client() as c:
        c.get_package("container", "")


def authentication(emu: Emulator) -> None:
    with emu.client("ghp_not_a_known_token_000000000000000000") as c:
        c.get_package("npm", "hello-world")


def permission(emu: Emulator) -> None:
    with emu.client(READ_ONLY_TOKEN) as c:
        c.delete_package("npm", "ui-kit", org="acme")


def not_found(emu: Emulator) -> None:
    with emu.client() as c:
        c.get_package("npm", "no-such-package", org="acme")


def rejected(emu: Emulator) -> None:
    with emu.client() as c:
        c.delete_version("npm", "single-version", 20091, org="acme")


def rate_limited(emu: Emulator) -> None:
    emu.inject(Fault.primary_rate_limit(reset_in=3600))
    with emu.client(max_rate_limit_wait=0) as c:
        c.get_package("npm", "hello-world")


def server(emu: Emulator) -> None:
    emu.inject(Fault.status(502), times=None)
    with emu.client(max_retries=0) as c:
        c.get_package("npm", "hello-world")


def timeout(emu: Emulator) -> None:
    emu.inject(Fault.latency(3.0))
    with emu.client(timeout=0.2, max_retries=0) as c:
        c.get_package("npm", "hello-world")


def transport(emu: Emulator) -> None:
    emu.inject(Fault.drop_connection(), times=None)
    with emu.client(max_retries=0) as c:
        c.get_package("npm", "hello-world")


def decode(emu: Emulator) -> None:
    emu.inject(Fault.malformed_json())
    with emu.client() as c:
        c.get_package("npm", "hello-world")


def closed(emu: Emulator) -> None:
    c = emu.client()
    c.close()
    c.get_package("npm", "hello-world")


TRIGGERS: Dict[str, Callable[[Emulator], None]] = {
    "InvalidArgumentError": invalid,
    "AuthenticationError": authentication,
    "PermissionDeniedError": permission,
    "NotFoundError": not_found,
    "RejectedError": rejected,
    "RateLimitError": rate_limited,
    "ServerError": server,
    "TimeoutError": timeout,
    "TransportError": transport,
    "DecodeError": decode,
    "ClientClosedError": closed,
}

# The HTTP status each kind carries here (None: no response was received).
STATUS = {
    "InvalidArgumentError": None,
    "AuthenticationError": 401,
    "PermissionDeniedError": 403,
    "NotFoundError": 404,
    "RejectedError": 400,
    "RateLimitError": 403,
    "ServerError": 502,
    "TimeoutError": None,
    "TransportError": None,
    "DecodeError": 200,
    "ClientClosedError": None,
}


def test_every_kind_has_a_trigger() -> None:
    assert set(TRIGGERS) == {name for name, _, _, _ in TABLE}


@pytest.mark.parametrize("name", [name for name, _, _, _ in TABLE])
def test_each_kind_is_raised_with_its_fields(emu: Emulator, name: str) -> None:
    cls = getattr(ghpkg, name)
    with pytest.raises(cls) as info:
        TRIGGERS[name](emu)
    e = info.value
    assert type(e) is cls
    assert isinstance(e, ghpkg.GhpkgError)
    assert e.status == STATUS[name], (e.status, str(e))
    assert isinstance(e.message, str) and e.message
    assert e.message in str(e)
    got_response = STATUS[name] is not None and name != "DecodeError"
    if got_response:
        assert e.request_id, "GitHub's x-github-request-id is kept"
        assert e.request_id in str(e)
        assert e.documentation_url and e.documentation_url.startswith("https://docs.github.com/")
    elif name in ("InvalidArgumentError", "ClientClosedError"):
        assert (e.request_id, e.documentation_url) == (None, None)
        assert emu.requests() == [], "nothing is sent"
    # Pickling keeps the class, the text and every field.
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cls and str(back) == str(e)
    for field in ("message", "status", "documentation_url", "request_id", "hint"):
        assert getattr(back, field) == getattr(e, field), field


def test_rate_limit_fields(emu: Emulator) -> None:
    with pytest.raises(ghpkg.RateLimitError) as info:
        rate_limited(emu)
    e = info.value
    assert isinstance(e.reset_at, datetime.datetime) and e.reset_at.tzinfo is not None
    now = datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=50) < e.reset_at - now < datetime.timedelta(minutes=70)
    assert e.retry_after is not None and 3000 < e.retry_after <= 3700
    back = pickle.loads(pickle.dumps(e))
    assert (back.reset_at, back.retry_after) == (e.reset_at, e.retry_after)


def test_secondary_rate_limit_retry_after(emu: Emulator) -> None:
    emu.inject(Fault.secondary_rate_limit(retry_after=120, status=429))
    with emu.client(max_rate_limit_wait=1) as c:
        with pytest.raises(ghpkg.RateLimitError) as info:
            c.get_package("npm", "hello-world")
    assert info.value.status == 429 and info.value.retry_after == 120.0


def test_rate_limits_within_the_wait_are_waited_out(emu: Emulator) -> None:
    emu.inject(Fault.secondary_rate_limit(retry_after=1, status=429))
    with emu.client(max_rate_limit_wait=5) as c:
        assert c.get_package("npm", "hello-world").name == "hello-world"
    assert [r.status for r in emu.requests()] == [429, 200]


def test_hints_for_refused_token_kinds(emu: Emulator) -> None:
    with emu.client(FINE_GRAINED_TOKEN) as c:
        with pytest.raises(ghpkg.PermissionDeniedError) as info:
            c.get_package("container", "api/server", org="acme")
    hint = info.value.hint
    assert hint is not None and "fine-grained" in hint and "classic" in hint
    assert hint in str(info.value)


def test_retries_happen_before_a_server_error(emu: Emulator) -> None:
    emu.inject(Fault.status(503), times=2)
    with emu.client(retry_backoff=0.01) as c:
        assert c.get_package("npm", "hello-world").id == 1001
    assert [r.status for r in emu.requests()] == [503, 503, 200]


def test_connection_refused_is_a_transport_error() -> None:
    with Emulator() as emu:
        url = emu.url
    with ghpkg.Client("ghp_x", base_url=url, max_retries=0) as c:
        with pytest.raises(ghpkg.TransportError) as info:
            c.get_package("npm", "x")
    assert info.value.status is None and isinstance(info.value, ConnectionError)


def test_exceptions_can_be_built_and_pickled_by_users() -> None:
    for name, _, _, _ in TABLE:
        cls = getattr(ghpkg, name)
        e = cls("text", status=418, message="m", request_id="r", documentation_url="d", hint="h")
        back = pickle.loads(pickle.dumps(e))
        assert (type(back), back.status, back.message, back.request_id, back.hint, str(back)) == (
            cls,
            418,
            "m",
            "r",
            "h",
            "text",
        )
    plain = ghpkg.GhpkgError("only text")
    assert plain.message == "only text" and plain.status is None


def test_the_token_never_appears_in_errors(emu: Emulator) -> None:
    secret = "ghp_secretsecretsecretsecret0123456789"
    with ghpkg.Client(secret, base_url=emu.url) as c:
        with pytest.raises(ghpkg.AuthenticationError) as info:
            c.get_package("npm", "hello-world")
    text = str(info.value) + repr(info.value) + repr(info.value.__dict__)
    assert "secretsecret" not in text
