"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Dict, List, TypeVar
from urllib.parse import parse_qsl

import pytest

from ghpkg.testing import Emulator, Request

T = TypeVar("T")

# The three kinds of owner: (keywords for ghpkg, path prefix the API uses).
OWNERS = [
    pytest.param({"org": "acme"}, "/orgs/acme", id="org"),
    pytest.param({"user": "octocat"}, "/users/octocat", id="user"),
    pytest.param({}, "/user", id="authenticated"),
]


def calls(emu: Emulator, clear: bool = True) -> List[str]:
    """``METHOD path?query`` of every logged request, then clears the log."""
    out = []
    for r in emu.requests():
        out.append(f"{r.method} {r.path}" + (f"?{r.query}" if r.query else ""))
    if clear:
        emu.clear_requests()
    return out


def paths(emu: Emulator, clear: bool = True) -> List[str]:
    """``METHOD path`` of every logged request (no query), then clears the log."""
    out = [f"{r.method} {r.path}" for r in emu.requests()]
    if clear:
        emu.clear_requests()
    return out


def last(emu: Emulator) -> Request:
    reqs = emu.requests()
    assert reqs, "no request was logged"
    return reqs[-1]


def query(request: Request) -> Dict[str, str]:
    return dict(parse_qsl(request.query or ""))


def run(coro: Awaitable[T]) -> T:
    """Runs an awaitable on a fresh event loop (no pytest plugin needed)."""

    async def main() -> T:
        return await coro

    return asyncio.run(main())
