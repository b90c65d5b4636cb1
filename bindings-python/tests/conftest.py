"""Shared fixtures: a fresh demo emulator per test, and a client for it.

Every test talks to the installed ``ghpkg`` over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

from typing import Iterator

import pytest

import ghpkg
from ghpkg.testing import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as e:
        yield e


@pytest.fixture
def client(emu: Emulator) -> Iterator[ghpkg.Client]:
    with emu.client() as c:
        yield c
