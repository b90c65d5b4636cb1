"""Test your own code against GitHub Packages without GitHub.

:class:`Emulator` starts ghpkg's GitHub Packages emulator in this process on
``127.0.0.1`` (a free port by default). It serves all 27 packages endpoints
with GitHub's authentication, scopes, visibility, delete and restore rules,
pagination, rate limits and request ids, from the demo dataset or from your
own fixture, and lets tests inject faults, add latency, move its clock and
read the log of the requests it received. On a second port
(:attr:`Emulator.registry_url`) it serves the container registry of those
packages, a fake ``ghcr.io``: the token challenge and ``/token``, manifests
by digest and tag (a ``GET`` counts as a download), tag listings and pushes,
coupled to the same state (see the emulator's README for the contract)::

    from ghpkg.testing import Emulator, Fault

    with Emulator() as emu:                       # the demo dataset
        client = emu.client()                     # a ghpkg.Client for it
        emu.inject(Fault.status(502), path="/orgs/acme", times=2)
        emu.inject({"kind": "secondary_rate_limit", "retry_after_seconds": 30})
        ...
        assert emu.requests()[-1].status == 200

A fault is a dict in the emulator's JSON vocabulary (the same one as
``ghpkg-emulator --fault`` and the Node emulator): ``kind`` plus that kind's
fields, and optionally ``method``, ``path`` (a substring of the raw,
percent-encoded path) and ``times`` (absent: once; ``None``: every matching
request). The :class:`Fault` helpers build these dicts; the emulator checks
them and raises ``ValueError`` with the reason.

The demo dataset: org ``acme`` (admin ``octocat``), packages of every type,
260 containers ``service-001``..``service-260``, the container ``api/server``
with real manifests (a tagged multi-arch index, version id 5000000001, with
its untagged children and attestation, an older index sharing a child, a
cosign signature, a sigstore bundle and its referrers-tag index, a nested
index, ghost, partial and orphaned versions: 19 active versions),
octocat's public npm ``hello-world`` and public container ``popular-image``
(a version with 12,000 downloads). ``emu.token`` is
octocat's classic token with every packages scope; the other tokens of the
dataset are the constants of this module.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import os
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Type, TypedDict, Union

from ghpkg import _native
from ghpkg._aio import AsyncClient
from ghpkg._native import Client

__all__ = [
    "Emulator",
    "Fault",
    "FaultSpec",
    "Request",
    "DEMO_TOKEN",
    "READ_ONLY_TOKEN",
    "NO_SCOPES_TOKEN",
    "HUBOT_TOKEN",
    "OAUTH_TOKEN",
    "FINE_GRAINED_TOKEN",
    "APP_TOKEN",
    "ACTIONS_TOKEN",
    "USER_TO_SERVER_TOKEN",
    "DEMO_TOKENS",
]

# The demo dataset's tokens come from the emulator's one table (name, token,
# description): each becomes the constant NAME_TOKEN. The declarations below
# only tell type checkers the names; tests check that they match the table.
DEMO_TOKEN: str
READ_ONLY_TOKEN: str
NO_SCOPES_TOKEN: str
HUBOT_TOKEN: str
OAUTH_TOKEN: str
FINE_GRAINED_TOKEN: str
APP_TOKEN: str
ACTIONS_TOKEN: str
USER_TO_SERVER_TOKEN: str

#: ``(constant name, token, description)`` of every demo token, in dataset order.
DEMO_TOKENS: Tuple[Tuple[str, str, str], ...] = tuple(
    (name.upper() + "_TOKEN", token, description)
    for name, token, description in _native.emulator_tokens()
)
globals().update({name: token for name, token, _ in DEMO_TOKENS})

Seconds = Union[float, datetime.timedelta]


@dataclass(frozen=True)
class Request:
    """One request the emulator received."""

    method: str
    #: The path exactly as sent, still percent-encoded
    #: (``/orgs/acme/packages/container/api%2Fserver``).
    path: str
    #: The raw query string without ``?``, or ``None``.
    query: Optional[str]
    #: Request headers, lower-case names, in arrival order.
    headers: Tuple[Tuple[str, str], ...] = field(repr=False)
    #: The status it was answered with; 0 while unanswered or when the connection was dropped.
    status: int

    def header(self, name: str) -> Optional[str]:
        """The first value of a header (name matched case-insensitively)."""
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None


class _RuleFields(TypedDict, total=False):
    #: Only requests with this method (case-insensitive).
    method: str
    #: Only requests whose raw, percent-encoded path contains this.
    path: str
    #: How many matching requests: absent once, ``None`` every one.
    times: Optional[int]


class StatusFault(_RuleFields):
    """``{"kind": "status", "status": 502}``: that status, GitHub-style body."""

    kind: Literal["status"]
    status: int


class LatencyFault(_RuleFields):
    """``{"kind": "latency", "delay_ms": 2000}``: the normal answer, later."""

    kind: Literal["latency"]
    delay_ms: int


class _PrimaryRateLimitFields(_RuleFields, total=False):
    reset_in_seconds: int


class PrimaryRateLimitFault(_PrimaryRateLimitFields):
    """403 with ``x-ratelimit-remaining: 0``; ``reset_in_seconds`` defaults to 1."""

    kind: Literal["primary_rate_limit"]


class _SecondaryRateLimitFields(_RuleFields, total=False):
    retry_after_seconds: int
    status: int


class SecondaryRateLimitFault(_SecondaryRateLimitFields):
    """A secondary limit: ``status`` 403 (default) or 429, ``retry-after`` if given."""

    kind: Literal["secondary_rate_limit"]


class _RedirectFields(_RuleFields, total=False):
    status: int


class RedirectFault(_RedirectFields):
    """A redirect to ``location``; ``status`` any 3xx, default 302."""

    kind: Literal["redirect"]
    location: str


class LinkHeaderFault(_RuleFields):
    """The normal answer with exactly this ``link`` header (``value``)."""

    kind: Literal["link_header"]
    value: str


class _ForeignRealmFields(_RuleFields, total=False):
    realm: str


class ForeignRealmFault(_ForeignRealmFields):
    """Registry: the next challenge names ``realm`` (default: the API origin's ``/token``)."""

    kind: Literal["foreign_realm"]


class BareFault(_RuleFields):
    """A fault without parameters."""

    kind: Literal[
        "drop_connection",
        "truncated_body",
        "malformed_json",
        "link_loop",
        "digest_mismatch",
        "token_expired",
    ]


#: A fault rule in the emulator's JSON vocabulary.
FaultSpec = Union[
    StatusFault,
    LatencyFault,
    PrimaryRateLimitFault,
    SecondaryRateLimitFault,
    RedirectFault,
    LinkHeaderFault,
    ForeignRealmFault,
    BareFault,
]


def _seconds(seconds: Seconds) -> float:
    if isinstance(seconds, datetime.timedelta):
        return seconds.total_seconds()
    return float(seconds)


class Fault:
    """Helpers that build fault dicts (:data:`FaultSpec`) for :meth:`Emulator.inject`.

    ``Fault.status(502)``, ``Fault.latency(2.0)``, ``Fault.primary_rate_limit()``,
    ``Fault.secondary_rate_limit(retry_after=30)``, ``Fault.drop_connection()``,
    ``Fault.truncated_body()``, ``Fault.malformed_json()``, ``Fault.redirect(location)``,
    ``Fault.link_loop()``, ``Fault.link_header(value)``, and for the registry origin
    ``Fault.digest_mismatch()``, ``Fault.foreign_realm(realm=None)`` and
    ``Fault.token_expired()``. Each returns a plain dict such as
    ``{"kind": "status", "status": 502}``; a dict written by hand works the same.
    Every kind applies on both origins (``path`` also matches ``/v2/...`` and
    ``/token``); the three registry kinds wait for the moment they describe.
    """

    @staticmethod
    def status(status: int) -> StatusFault:
        """Answer with this status and a GitHub-style error body."""
        return {"kind": "status", "status": status}

    @staticmethod
    def latency(seconds: Seconds) -> LatencyFault:
        """Delay the response (to the millisecond), then answer normally."""
        return {"kind": "latency", "delay_ms": round(_seconds(seconds) * 1000)}

    @staticmethod
    def primary_rate_limit(reset_in: Optional[Seconds] = None) -> PrimaryRateLimitFault:
        """403 with ``x-ratelimit-remaining: 0``; the reset ``reset_in`` ahead
        (whole seconds, rounded up; default 1 s)."""
        if reset_in is None:
            return {"kind": "primary_rate_limit"}
        return {
            "kind": "primary_rate_limit",
            "reset_in_seconds": math.ceil(_seconds(reset_in)),
        }

    @staticmethod
    def secondary_rate_limit(
        retry_after: Optional[int] = None, status: int = 403
    ) -> SecondaryRateLimitFault:
        """A secondary rate limit (403 or 429), with ``retry-after`` when given."""
        if retry_after is None:
            return {"kind": "secondary_rate_limit", "status": status}
        return {
            "kind": "secondary_rate_limit",
            "retry_after_seconds": retry_after,
            "status": status,
        }

    @staticmethod
    def drop_connection() -> BareFault:
        """Close the connection without answering."""
        return {"kind": "drop_connection"}

    @staticmethod
    def truncated_body() -> BareFault:
        """Send 200 headers promising more body than is sent, then close."""
        return {"kind": "truncated_body"}

    @staticmethod
    def malformed_json() -> BareFault:
        """200 with a body that is not valid JSON."""
        return {"kind": "malformed_json"}

    @staticmethod
    def redirect(location: str, status: int = 302) -> RedirectFault:
        """Redirect to ``location`` with a 3xx status."""
        return {"kind": "redirect", "location": location, "status": status}

    @staticmethod
    def link_loop() -> BareFault:
        """Answer normally with a ``link`` whose ``next`` points back to page 1."""
        return {"kind": "link_loop"}

    @staticmethod
    def link_header(value: str) -> LinkHeaderFault:
        """Answer normally with exactly this ``link`` header (malformed ones too)."""
        return {"kind": "link_header", "value": value}

    @staticmethod
    def digest_mismatch() -> BareFault:
        """Registry: the next 200 manifest ``GET`` sends a body that does not
        hash to its digest, headers unchanged."""
        return {"kind": "digest_mismatch"}

    @staticmethod
    def foreign_realm(realm: Optional[str] = None) -> ForeignRealmFault:
        """Registry: the next 401 challenge names ``realm`` (default: the API
        origin's ``/token``), where a careful client must not send its token."""
        if realm is None:
            return {"kind": "foreign_realm"}
        return {"kind": "foreign_realm", "realm": realm}

    @staticmethod
    def token_expired() -> BareFault:
        """Registry: the next request with a valid registry token finds it
        expired; on ``/token``, the token handed out is born expired."""
        return {"kind": "token_expired"}


class _Unset(enum.Enum):
    UNSET = 0


FixtureArg = Union[Mapping[str, Any], str, "os.PathLike[str]", None]


class Emulator:
    """A GitHub Packages emulator serving on ``127.0.0.1`` in this process.

    ``fixture`` is the data to serve: ``None`` for the demo dataset, a
    mapping in the fixture JSON format, or the path of a fixture JSON file.
    ``latency`` delays every response; ``link_headers=False`` pages without
    ``link`` headers, like GitHub sometimes does. On the registry origin,
    ``head_counts_as_download=True`` makes a manifest ``HEAD`` add a download
    like a ``GET``, and ``restore_reattaches_tags=False`` makes restored
    container versions come back untagged. Stop it with :meth:`close` or by
    using it as a context manager.
    """

    def __init__(
        self,
        fixture: FixtureArg = None,
        *,
        port: int = 0,
        latency: Seconds = 0.0,
        link_headers: bool = True,
        secondary_points_per_minute: int = 900,
        head_counts_as_download: bool = False,
        restore_reattaches_tags: bool = True,
    ) -> None:
        text: Optional[str]
        if fixture is None:
            text = None
        elif isinstance(fixture, Mapping):
            text = json.dumps(dict(fixture))
        elif isinstance(fixture, (str, os.PathLike)):
            with open(fixture, encoding="utf-8") as f:
                text = f.read()
        else:
            raise TypeError(
                "fixture must be None, a mapping or a path, not " + type(fixture).__name__
            )
        self._server: _native.EmulatorServer = _native.EmulatorServer(
            text,
            port=port,
            latency=latency,
            link_headers=link_headers,
            secondary_points_per_minute=secondary_points_per_minute,
            head_counts_as_download=head_counts_as_download,
            restore_reattaches_tags=restore_reattaches_tags,
        )

    @classmethod
    def from_json(cls, text: str, **kwargs: Any) -> Emulator:
        """An emulator serving the fixture in ``text`` (fixture JSON)."""
        return cls(json.loads(text), **kwargs)

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        return self._server.url

    @property
    def registry_url(self) -> str:
        """The container registry origin, ``http://127.0.0.1:PORT2`` (``/v2/...``,
        ``/token``). Its requests are in :meth:`requests` too."""
        return self._server.registry_url

    @property
    def token(self) -> Optional[str]:
        """The fixture's default token: the demo token for the demo dataset,
        else the fixture's first classic token, else ``None``."""
        return self._server.token

    def client(self, token: Optional[str] = None, **options: Any) -> Client:
        """A :class:`ghpkg.Client` for this emulator (``token`` defaults to
        :attr:`token`). It does not read the environment (``use_env=False``
        unless given), so a token in the shell cannot reach the test."""
        options.setdefault("use_env", False)
        return Client(token if token is not None else self.token, base_url=self.url, **options)

    def async_client(self, token: Optional[str] = None, **options: Any) -> AsyncClient:
        """A :class:`ghpkg.AsyncClient` for this emulator, like :meth:`client`."""
        options.setdefault("use_env", False)
        return AsyncClient(token if token is not None else self.token, base_url=self.url, **options)

    def requests(self) -> List[Request]:
        """Every request received so far, in arrival order."""
        return [
            Request(method, path, query, tuple(headers), status)
            for method, path, query, headers, status in self._server.requests()
        ]

    def clear_requests(self) -> None:
        """Forgets the logged requests."""
        self._server.clear_requests()

    def inject(
        self,
        fault: Union[FaultSpec, Mapping[str, Any]],
        *,
        method: Optional[str] = None,
        path: Optional[str] = None,
        times: Union[int, None, _Unset] = _Unset.UNSET,
    ) -> None:
        """Adds a fault rule; rules apply in the order added, the first match wins.

        ``fault`` is a dict in the emulator's JSON vocabulary (see
        :class:`Fault`). ``method``, ``path`` and ``times`` add those fields:
        the fault then applies to the next ``times`` requests (``None``: all;
        default once) whose method is ``method`` and whose raw path contains
        ``path``. Raises ``ValueError`` when the emulator refuses the rule.
        """
        if not isinstance(fault, Mapping):
            raise TypeError(
                "fault must be a mapping such as Fault.status(502), not " + type(fault).__name__
            )
        rule: Dict[str, Any] = dict(fault)
        extra: Dict[str, Any] = {}
        if method is not None:
            extra["method"] = method
        if path is not None:
            extra["path"] = path
        if not isinstance(times, _Unset):
            extra["times"] = times
        for key, value in extra.items():
            if key in rule and rule[key] != value:
                raise ValueError(f"{key} is given both in the fault and as an argument")
            rule[key] = value
        self._server.inject(json.dumps(rule))

    def clear_faults(self) -> None:
        """Removes every injected fault."""
        self._server.clear_faults()

    def set_latency(self, seconds: Seconds) -> None:
        """Delays every response by ``seconds``."""
        self._server.set_latency(seconds)

    def set_link_headers(self, on: bool) -> None:
        """``False`` pages listings without ``link`` headers."""
        self._server.set_link_headers(on)

    def set_secondary_points_per_minute(self, points: int) -> None:
        """Sets the secondary rate limit (GET costs 1 point, DELETE and POST 5)."""
        self._server.set_secondary_points_per_minute(points)

    def set_head_counts_as_download(self, on: bool) -> None:
        """Whether a registry manifest ``HEAD`` adds a download like a ``GET``."""
        self._server.set_head_counts_as_download(on)

    def set_restore_reattaches_tags(self, on: bool) -> None:
        """Whether restored container versions get their tags back (those
        nobody took meanwhile)."""
        self._server.set_restore_reattaches_tags(on)

    def reset_rate_limits(self) -> None:
        """Forgets all rate-limit usage."""
        self._server.reset_rate_limits()

    def advance_clock(self, seconds: Seconds) -> None:
        """Moves the emulated clock forward (restore windows, rate-limit windows)."""
        self._server.advance_clock(seconds)

    def now(self) -> datetime.datetime:
        """The emulated time."""
        return self._server.now()

    @property
    def closed(self) -> bool:
        return self._server.closed

    def close(self) -> None:
        """Stops the server and waits until its port is closed."""
        self._server.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ghpkg.testing.Emulator url={self.url!r}>"
