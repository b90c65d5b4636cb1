"""Test your own code against GitHub Packages without GitHub.

:class:`Emulator` starts ghpkg's GitHub Packages emulator in this process on
``127.0.0.1`` (a free port by default). It serves all 27 packages endpoints
with GitHub's authentication, scopes, visibility, delete and restore rules,
pagination, rate limits and request ids, from the demo dataset or from your
own fixture, and lets tests inject faults, add latency, move its clock and
read the log of the requests it received::

    from ghpkg.testing import Emulator, Fault

    with Emulator() as emu:                       # the demo dataset
        client = emu.client()                     # a ghpkg.Client for it
        emu.inject(Fault.status(502), path="/orgs/acme", times=2)
        ...
        assert emu.requests()[-1].status == 200

The demo dataset: org ``acme`` (admin ``octocat``), packages of every type,
260 containers ``service-001``..``service-260``, the container ``api/server``
with a tagged multi-arch index (version id 5000000001) and its untagged
children, and octocat's public npm ``hello-world``. ``emu.token`` is
octocat's classic token with every packages scope; the other tokens of the
dataset are the constants of this module.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type, Union

from ghpkg import _native
from ghpkg._aio import AsyncClient
from ghpkg._native import Client

__all__ = [
    "Emulator",
    "Fault",
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
]

_TOKENS = dict(_native.emulator_tokens())
#: octocat's classic token with read, write and delete scopes and ``repo``.
DEMO_TOKEN: str = _TOKENS["DEMO_TOKEN"]
#: octocat's classic token with only ``read:packages``.
READ_ONLY_TOKEN: str = _TOKENS["READ_ONLY_TOKEN"]
#: octocat's classic token with no scopes.
NO_SCOPES_TOKEN: str = _TOKENS["NO_SCOPES_TOKEN"]
#: hubot's classic token with every scope (a plain member of ``acme``).
HUBOT_TOKEN: str = _TOKENS["HUBOT_TOKEN"]
#: octocat's OAuth app token with the demo token's scopes.
OAUTH_TOKEN: str = _TOKENS["OAUTH_TOKEN"]
#: octocat's fine-grained token (GitHub refuses these for packages).
FINE_GRAINED_TOKEN: str = _TOKENS["FINE_GRAINED_TOKEN"]
#: a GitHub App installation token (refused for packages).
APP_TOKEN: str = _TOKENS["APP_TOKEN"]
#: an Actions ``GITHUB_TOKEN`` of the repository ``acme/api``.
ACTIONS_TOKEN: str = _TOKENS["ACTIONS_TOKEN"]
#: a GitHub App user-to-server token (refused for packages).
USER_TO_SERVER_TOKEN: str = _TOKENS["USER_TO_SERVER_TOKEN"]

Seconds = Union[float, datetime.timedelta]


@dataclass(frozen=True)
class Request:
    """One request the emulator received."""

    method: str
    #: The path exactly as sent, still percent-encoded (``/orgs/acme/packages/container/api%2Fserver``).
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


class Fault:
    """A way to make matching requests misbehave; pass it to :meth:`Emulator.inject`.

    Build one with a class method: ``Fault.status(502)``, ``Fault.latency(2.0)``,
    ``Fault.primary_rate_limit()``, ``Fault.secondary_rate_limit(retry_after=30)``,
    ``Fault.drop_connection()``, ``Fault.truncated_body()``, ``Fault.malformed_json()``,
    ``Fault.redirect(location)``, ``Fault.link_loop()``.
    """

    __slots__ = ("_kind", "_status", "_seconds", "_location")

    def __init__(
        self,
        kind: str,
        *,
        status: Optional[int] = None,
        seconds: Optional[Seconds] = None,
        location: Optional[str] = None,
    ) -> None:
        self._kind = kind
        self._status = status
        self._seconds = seconds
        self._location = location

    @classmethod
    def status(cls, status: int) -> Fault:
        """Answer with this status and a GitHub-style error body."""
        return cls("status", status=status)

    @classmethod
    def latency(cls, seconds: Seconds) -> Fault:
        """Delay the response, then answer normally."""
        return cls("latency", seconds=seconds)

    @classmethod
    def primary_rate_limit(cls, reset_in: Optional[Seconds] = None) -> Fault:
        """403 with ``x-ratelimit-remaining: 0``; the reset ``reset_in`` ahead (default 1 s)."""
        return cls("primary_rate_limit", seconds=reset_in)

    @classmethod
    def secondary_rate_limit(cls, retry_after: Optional[int] = None, status: int = 403) -> Fault:
        """A secondary rate limit (403 or 429), with ``retry-after`` when given."""
        return cls("secondary_rate_limit", status=status, seconds=retry_after)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Close the connection without answering."""
        return cls("drop_connection")

    @classmethod
    def truncated_body(cls) -> Fault:
        """Send 200 headers promising more body than is sent, then close."""
        return cls("truncated_body")

    @classmethod
    def malformed_json(cls) -> Fault:
        """200 with a body that is not valid JSON."""
        return cls("malformed_json")

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Fault:
        """Redirect to ``location`` with a 3xx status."""
        return cls("redirect", status=status, location=location)

    @classmethod
    def link_loop(cls) -> Fault:
        """Answer normally with a ``link`` whose ``next`` points back to page 1."""
        return cls("link_loop")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fault):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> Tuple[Any, ...]:
        return (self._kind, self._status, self._seconds, self._location)

    def __repr__(self) -> str:
        args = [repr(self._kind)]
        for name in ("status", "seconds", "location"):
            value = getattr(self, "_" + name)
            if value is not None:
                args.append(f"{name}={value!r}")
        return f"Fault({', '.join(args)})"


FixtureArg = Union[Mapping[str, Any], str, "os.PathLike[str]", None]


class Emulator:
    """A GitHub Packages emulator serving on ``127.0.0.1`` in this process.

    ``fixture`` is the data to serve: ``None`` for the demo dataset, a
    mapping in the fixture JSON format, or the path of a fixture JSON file.
    ``latency`` delays every response; ``link_headers=False`` pages without
    ``link`` headers, like GitHub sometimes does. Stop it with :meth:`close`
    or by using it as a context manager.
    """

    def __init__(
        self,
        fixture: FixtureArg = None,
        *,
        port: int = 0,
        latency: Seconds = 0.0,
        link_headers: bool = True,
        secondary_points_per_minute: int = 900,
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
    def token(self) -> Optional[str]:
        """The demo token, or the first classic token of the fixture."""
        return self._server.token

    def client(self, token: Optional[str] = None, **options: Any) -> Client:
        """A :class:`ghpkg.Client` for this emulator (``token`` defaults to :attr:`token`)."""
        return Client(token if token is not None else self.token, base_url=self.url, **options)

    def async_client(self, token: Optional[str] = None, **options: Any) -> AsyncClient:
        """A :class:`ghpkg.AsyncClient` for this emulator."""
        return AsyncClient(
            token if token is not None else self.token, base_url=self.url, **options
        )

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
        fault: Fault,
        *,
        method: Optional[str] = None,
        path: Optional[str] = None,
        times: Optional[int] = 1,
    ) -> None:
        """Applies ``fault`` to the next ``times`` requests (``None``: all)
        whose method is ``method`` and whose raw path contains ``path``."""
        self._server.inject(
            fault._kind,
            status=fault._status,
            seconds=fault._seconds,
            location=fault._location,
            method=method,
            path=path,
            times=times,
        )

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

