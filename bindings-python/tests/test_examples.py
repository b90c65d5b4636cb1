"""The README examples (files in examples/) run against the emulator."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Dict

import pytest

from ghpkg.testing import Emulator

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, env: Dict[str, str]) -> str:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "STACKQL_"))
    }
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def env(emu: Emulator) -> Dict[str, str]:
    assert emu.token is not None
    return {"GITHUB_TOKEN": emu.token, "GITHUB_API_URL": emu.url, "GHPKG_ORG": "acme"}


def test_sync_example(env: Dict[str, str]) -> None:
    out = run_example("sync_example.py", env).splitlines()
    assert "api/server (acme/api): 12 of 19 untagged" in out
    assert "only-tag (acme/api): 1 of 2 untagged" in out
    assert any(line.startswith("no such package (HTTP 404, request id ") for line in out)
    assert "npm: ui-kit (private)" in out and "npm: single-version (private)" in out


def test_async_example(env: Dict[str, str]) -> None:
    out = run_example("async_example.py", env).splitlines()
    assert out[0] == "264 images, 13 untagged versions"
    assert out[1] == "  api/server: 12"
    assert out[-1].startswith("GitHub refused: ")


def test_testing_example(env: Dict[str, str]) -> None:
    assert run_example("testing_example.py", {}).strip() == "ok"


def test_retention_example(emu: Emulator, env: Dict[str, str], tmp_path: pathlib.Path) -> None:
    env = {
        **env,
        "GHPKG_REGISTRY_URL": emu.registry_url,
        "GHPKG_JOURNAL": str(tmp_path / "j.jsonl"),
    }
    out = run_example("retention_example.py", env).splitlines()
    assert "will delete api/server 200140: ghost_index" in out
    assert "will delete api/server 200150: partial_index" in out
    assert "will delete api/server 200160: orphaned_referrer" in out
    deleted = [line for line in out if line.startswith("deleted ")]
    assert deleted == ["deleted api/server 200140", "deleted api/server 200160"]
    assert "complete: {'deleted': 2}" in out
    assert any(line.endswith("kept tags resolve, 0 broken") for line in out)
    assert out[-1] == "undo complete: {'restored': 2}"


@pytest.mark.parametrize(
    "name", ["sync_example.py", "async_example.py", "testing_example.py", "retention_example.py"]
)
def test_readme_shows_the_examples_verbatim(name: str) -> None:
    code = (EXAMPLES / name).read_text().rstrip()
    readmes = [EXAMPLES.parent / "README.md", EXAMPLES.parent.parent / "README.md"]
    for readme in readmes:
        text = readme.read_text() if readme.exists() else ""
        if readme == readmes[0] or "## Python" in text:
            assert code in text, f"{readme} does not show examples/{name} as it is"
