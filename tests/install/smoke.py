"""Smoke test of an installed ghpkg wheel or sdist: a few real calls.

    python smoke.py VERSION [PREFIX]

Against GITHUB_API_URL, GITHUB_TOKEN and GHPKG_REGISTRY_URL when set (scripts/test-install.sh runs
the emulator binary), else against the in-process emulator the wheel ships.
PREFIX, when given, is where ghpkg must be imported from (the venv).
"""

import os
import sys
from contextlib import ExitStack

import ghpkg
from ghpkg.testing import Emulator

version = sys.argv[1]
assert ghpkg.__version__ == version, (ghpkg.__version__, version)
if len(sys.argv) > 2:
    assert ghpkg.__file__.startswith(sys.argv[2]), f"ghpkg imported from {ghpkg.__file__}"

with ExitStack() as stack:
    if os.environ.get("GITHUB_API_URL"):
        client = stack.enter_context(ghpkg.Client())
        registry_url = os.environ["GHPKG_REGISTRY_URL"]
    else:
        emulator = stack.enter_context(Emulator())
        client = stack.enter_context(emulator.client())
        registry_url = emulator.registry_url
    names = [p.name for p in client.list_packages("container", org="acme")]
    assert names, "no packages"
    assert client.get_package("container", names[0], org="acme").name == names[0]
    try:
        client.get_package("container", "no-such-package", org="acme")
        raise AssertionError("expected NotFoundError")
    except ghpkg.NotFoundError:
        pass
    policy = {
        "owner": {"org": "acme"},
        "package_type": "container",
        "delete": [{"id": "untagged", "untagged": True}],
    }
    plan = client.retention.plan(policy, registry_url=registry_url)
    assert plan.render("markdown").startswith("## ghpkg retention plan")

# The in-process emulator ships in the wheel, for users' own tests.
with Emulator() as emulator, emulator.client() as client:
    assert list(client.list_packages("container", org="acme"))
print(f"python: ghpkg {ghpkg.__version__}, {len(names)} packages of acme, a retention plan")
