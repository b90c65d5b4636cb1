"""The cross-language scenarios of ``tests/scenarios.json``, replayed through
the Python binding.

The Rust, Node and Go suites replay the same file, so every front door is
held to the same behaviour. Each scenario runs against a fresh in-process
demo emulator; each step calls the sync client, checks the result (core
field names mapped onto the Python attributes) or the exception, and, where
the scenario says so, the request the emulator received (or that none was
sent). The format is described in ``tests/README.md`` at the repository root.
"""

from __future__ import annotations

import base64
import enum
import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import pytest

import ghpkg
from ghpkg import testing
from ghpkg.testing import Emulator, Request

SCENARIO_FILE = Path(__file__).resolve().parents[2] / "tests" / "scenarios.json"

_PACKAGE_ARGS = ("owner", "package_type", "name")
_VERSION_ARGS = ("owner", "package_type", "name", "version_id")
# Each operation: (required args, optional args).
OPS: Dict[str, Tuple[Sequence[str], Sequence[str]]] = {
    "list_packages": (("owner", "package_type"), ("visibility",)),
    "get_package": (_PACKAGE_ARGS, ()),
    "delete_package": (_PACKAGE_ARGS, ()),
    "restore_package": (_PACKAGE_ARGS, ("token",)),
    "list_versions": (_PACKAGE_ARGS, ("state",)),
    "get_version": (_VERSION_ARGS, ()),
    "delete_version": (_VERSION_ARGS, ()),
    "restore_version": (_VERSION_ARGS, ()),
    "docker_conflicts": (("owner",), ()),
    "catalog_select": (("resource", "params"), ()),
    "catalog_delete": (("resource", "params"), ()),
    "catalog_exec": (("resource", "method", "params"), ()),
    "client": ((), ("token", "username", "anonymous", "base_url", "use_env")),
}
# The variables a client may read, which a ``client`` step controls.
ENV_VARS = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "STACKQL_GITHUB_USERNAME",
    "STACKQL_GITHUB_PASSWORD",
    "GITHUB_API_URL",
)
SCENARIO_KEYS = ("name", "steps")
STEP_KEYS = ("op", "args", "token", "expect", "wire", "sends_nothing", "env")
CLIENT_KEYS = ("base_url", "token_kind", "authorization")
ERROR_KEYS = ("error", "status", "message")
SUCCESS_KEYS = ("ok", "fields", "count", "names", "ids", "tags")
WIRE_KEYS = ("method", "path", "query_contains", "requests")
# The field paths ``fields`` may name on a typed result; catalog rows are
# dicts and take any dotted path into the row.
PACKAGE_FIELDS = (
    "id",
    "name",
    "package_type",
    "visibility",
    "version_count",
    "url",
    "html_url",
    "owner.login",
    "owner.type",
    "repository.full_name",
)
VERSION_FIELDS = (
    "id",
    "name",
    "url",
    "package_html_url",
    "html_url",
    "license",
    "description",
    "metadata.package_type",
)
TOKENS = {
    "demo": testing.DEMO_TOKEN,
    "read_only": testing.READ_ONLY_TOKEN,
    "no_scopes": testing.NO_SCOPES_TOKEN,
    "hubot": testing.HUBOT_TOKEN,
    "oauth": testing.OAUTH_TOKEN,
    "fine_grained": testing.FINE_GRAINED_TOKEN,
    "app": testing.APP_TOKEN,
    "actions": testing.ACTIONS_TOKEN,
    "user_to_server": testing.USER_TO_SERVER_TOKEN,
}
TOKEN_PREFIXES = ("ghp_", "gho_", "ghs_", "ghu_", "github_pat_")


class StepFailure(Exception):
    """A step did not behave as its scenario expects."""


def _keys(obj: Any, required: Sequence[str], allowed: Sequence[str], what: str) -> None:
    if not isinstance(obj, dict):
        raise StepFailure(f"{what} must be an object, got {obj!r}")
    unknown = [k for k in obj if k not in allowed]
    if unknown:
        raise StepFailure(f"{what}: unknown key {unknown[0]!r} (allowed: {list(allowed)})")
    missing = [k for k in required if k not in obj]
    if missing:
        raise StepFailure(f"{what}: missing key {missing[0]!r}")


def _token(name: str) -> Optional[str]:
    """The token a step names: a demo token, ``anonymous`` (None) or a literal."""
    if name == "anonymous":
        return None
    if name in TOKENS:
        return TOKENS[name]
    if name.startswith(TOKEN_PREFIXES):
        return name
    raise StepFailure(f"unknown token name {name!r}")


def _validate_step(step: Any) -> None:
    _keys(step, ("op", "args", "expect"), STEP_KEYS, "step")
    op = step["op"]
    if op not in OPS:
        raise StepFailure(f"unknown op {op!r}")
    required, optional = OPS[op]
    _keys(step["args"], required, tuple(required) + tuple(optional), "args")
    if "owner" in step["args"]:
        owner = step["args"]["owner"]
        _keys(owner, (), ("org", "user"), "owner")
        if len(owner) > 1:
            raise StepFailure("owner: give org or user, not both")
    if op == "client":
        _validate_client_step(step)
        return
    if "env" in step:
        raise StepFailure("env: only client steps take an environment")
    if "token" in step:
        _token(step["token"])
    expect = step["expect"]
    if isinstance(expect, dict) and "error" in expect:
        _keys(expect, ("error",), ERROR_KEYS, "expect (error)")
    else:
        _keys(expect, (), SUCCESS_KEYS, "expect (success)")
        if not expect:
            raise StepFailure('expect: empty; use {"ok": true} for a bare success')
        if expect.get("ok", True) is not True:
            raise StepFailure("expect: ok must be true")
    if "wire" in step and "sends_nothing" in step:
        raise StepFailure("wire and sends_nothing exclude each other")
    if "wire" in step:
        _keys(step["wire"], (), WIRE_KEYS, "wire")
    if step.get("sends_nothing", True) is not True:
        raise StepFailure("sends_nothing must be true")


def _validate_client_step(step: Mapping[str, Any]) -> None:
    for key in ("token", "wire", "sends_nothing"):
        if key in step:
            raise StepFailure(f"{key}: not taken by client steps")
    if "env" not in step:
        raise StepFailure("client steps need env")
    _keys(step["env"], (), ENV_VARS, "env")
    for key, value in step["env"].items():
        if not isinstance(value, str):
            raise StepFailure(f"env.{key} must be a string")
        if (key.endswith("TOKEN") or key == "STACKQL_GITHUB_PASSWORD") and value:
            _token(value)
    if "token" in step["args"]:
        _token(step["args"]["token"])
    expect = step["expect"]
    if isinstance(expect, dict) and "error" in expect:
        _keys(expect, ("error",), ERROR_KEYS, "expect (error)")
    else:
        _keys(expect, ("base_url",), CLIENT_KEYS, "expect (client)")


def load_scenarios() -> List[Dict[str, Any]]:
    """Reads and validates the whole file: a typo fails collection."""
    if not SCENARIO_FILE.is_file():
        raise RuntimeError(f"the scenario file is missing: {SCENARIO_FILE}")
    scenarios = json.loads(SCENARIO_FILE.read_text(encoding="utf-8"))
    if not isinstance(scenarios, list) or not scenarios:
        raise RuntimeError(f"{SCENARIO_FILE} must hold a non-empty JSON list")
    problems = []
    names = set()
    for i, scenario in enumerate(scenarios, 1):
        try:
            _keys(scenario, SCENARIO_KEYS, SCENARIO_KEYS, "scenario")
            if scenario["name"] in names:
                raise StepFailure(f"duplicate scenario name {scenario['name']!r}")
            names.add(scenario["name"])
            if not isinstance(scenario["steps"], list) or not scenario["steps"]:
                raise StepFailure("steps must be a non-empty list")
            for j, step in enumerate(scenario["steps"], 1):
                try:
                    _validate_step(step)
                except StepFailure as e:
                    raise StepFailure(f"step {j}: {e}") from None
        except StepFailure as e:
            problems.append(f"scenario {i}: {e}")
    if problems:
        raise RuntimeError("bad scenario file:\n" + "\n".join(problems))
    return scenarios


SCENARIOS = load_scenarios()


# What a call returned: ("unit", None), ("one", (kind, obj)) or ("many", [(kind, obj)]),
# kind being "package", "version" or "row".
Item = Tuple[str, Any]
Result = Tuple[str, Any]


def _call(client: ghpkg.Client, op: str, args: Mapping[str, Any]) -> Result:
    if op == "catalog_select":
        return "many", [("row", r) for r in client.catalog_select(args["resource"], args["params"])]
    if op == "catalog_delete":
        client.catalog_delete(args["resource"], args["params"])
        return "unit", None
    if op == "catalog_exec":
        rows = client.catalog_exec(args["resource"], args["method"], args["params"])
        return "many", [("row", r) for r in rows]
    owner: Dict[str, str] = dict(args["owner"])
    if op == "docker_conflicts":
        return "many", [("package", p) for p in client.docker_conflicts(**owner)]
    ty = args["package_type"]
    if op == "list_packages":
        found = client.list_packages(ty, visibility=args.get("visibility"), **owner)
        return "many", [("package", p) for p in found]
    name = args["name"]
    if op == "get_package":
        return "one", ("package", client.get_package(ty, name, **owner))
    if op == "delete_package":
        client.delete_package(ty, name, **owner)
        return "unit", None
    if op == "restore_package":
        client.restore_package(ty, name, token=args.get("token"), **owner)
        return "unit", None
    if op == "list_versions":
        found = client.list_versions(ty, name, state=args.get("state"), **owner)
        return "many", [("version", v) for v in found]
    vid = args["version_id"]
    if op == "get_version":
        return "one", ("version", client.get_version(ty, name, vid, **owner))
    if op == "delete_version":
        client.delete_version(ty, name, vid, **owner)
    elif op == "restore_version":
        client.restore_version(ty, name, vid, **owner)
    else:
        raise StepFailure(f"unknown op {op!r}")
    return "unit", None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _field(item: Item, path: str) -> Any:
    """A core field name mapped onto the Python result: attributes of typed
    results (``owner.login`` is ``pkg.owner.login``), keys of rows and dicts."""
    kind, obj = item
    allowed = {"package": PACKAGE_FIELDS, "version": VERSION_FIELDS}.get(kind)
    if allowed is not None and path not in allowed:
        raise StepFailure(f"fields: {path!r} is not one of {list(allowed)}")
    cur = obj
    for part in path.split("."):
        if cur is None:
            return None
        if not isinstance(cur, dict):
            cur = getattr(cur, part)
        elif part in cur:
            cur = cur[part]
        elif kind == "row":
            raise StepFailure(f"fields: the row has no {path!r}")
        else:
            return None
    return _plain(cur)


def _many(result: Result, key: str) -> List[Item]:
    shape, value = result
    if shape != "many":
        raise StepFailure(f"{key}: the result is not a listing")
    items: List[Item] = value
    return items


def _attr(item: Item, name: str) -> Any:
    kind, obj = item
    return obj[name] if kind == "row" else getattr(obj, name)


def _check_success(expect: Mapping[str, Any], result: Result) -> None:
    shape, value = result
    for key, want in expect.items():
        if key == "ok":
            continue
        if key == "count":
            have: Any = len(_many(result, key))
        elif key in ("names", "ids"):
            have = [_attr(i, "name" if key == "names" else "id") for i in _many(result, key)]
        elif key == "fields":
            if shape == "unit":
                raise StepFailure("fields: the call returns nothing")
            if shape == "many" and not value:
                raise StepFailure("fields: the listing is empty")
            item = value if shape == "one" else value[0]
            for path, wanted in want.items():
                got = _field(item, path)
                if got != wanted:
                    raise StepFailure(f"fields.{path}: expected {wanted!r}, got {got!r}")
            continue
        elif key == "tags":
            if shape != "one" or value[0] != "version":
                raise StepFailure("tags: the result is not a version")
            have = list(value[1].tags)
        else:
            raise StepFailure(f"unknown expectation {key!r}")
        if have != want:
            raise StepFailure(f"{key}: expected {want!r}, got {have!r}")


def _check_error(expect: Mapping[str, Any], err: ghpkg.GhpkgError) -> None:
    if err.code != expect["error"]:
        raise StepFailure(f"expected error {expect['error']}, got {err.code}: {err}")
    if "status" in expect and err.status != expect["status"]:
        raise StepFailure(f"status: expected {expect['status']!r}, got {err.status!r} ({err})")
    if "message" in expect and err.message != expect["message"]:
        raise StepFailure(f"message: expected {expect['message']!r}, got {err.message!r}")


def _check_wire(wire: Mapping[str, Any], sent: List[Request]) -> None:
    if "requests" in wire and len(sent) != wire["requests"]:
        raise StepFailure(f"wire: expected {wire['requests']} requests, got {len(sent)}")
    if not sent:
        raise StepFailure("wire: the step sent no request")
    last = sent[-1]
    if "method" in wire and last.method != wire["method"]:
        raise StepFailure(f"wire.method: expected {wire['method']}, got {last.method}")
    if "path" in wire and last.path != wire["path"]:
        raise StepFailure(f"wire.path: expected {wire['path']}, got {last.path}")
    pairs = (last.query or "").split("&")
    for want in wire.get("query_contains", []):
        if want not in pairs:
            raise StepFailure(f"wire.query_contains: {want!r} not in {last.query!r}")


def _client(emu: Emulator, token_name: str) -> ghpkg.Client:
    token = _token(token_name)
    if token is None:
        return ghpkg.Client(base_url=emu.url, anonymous=True, timeout=20, use_env=False)
    return emu.client(token, timeout=20, use_env=False)


def _resolve(emu: Emulator, key: str, value: str) -> str:
    """A value of a client step: a token name is the token, ``emulator`` the
    emulator's URL, anything else itself."""
    if value == "emulator" and key.endswith("URL"):
        return emu.url
    if value and (key.endswith("TOKEN") or key in ("STACKQL_GITHUB_PASSWORD", "token")):
        return _token(value) or ""
    return value


def run_client_step(
    emu: Emulator, step: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds a client with exactly the step's environment and options, then
    checks what it resolved to and the Authorization header it sends."""
    expect = step["expect"]
    for var in ENV_VARS:
        if var in step["env"]:
            monkeypatch.setenv(var, _resolve(emu, var, step["env"][var]))
        else:
            monkeypatch.delenv(var, raising=False)
    options: Dict[str, Any] = {}
    for key, value in step["args"].items():
        options[key] = (
            _resolve(emu, "base_URL" if key == "base_url" else key, value)
            if isinstance(value, str)
            else value
        )
    try:
        client = ghpkg.Client(**options)
    except ghpkg.GhpkgError as err:
        if "error" not in expect:
            raise StepFailure(f"expected a client, got {err.code}: {err}") from None
        _check_error(expect, err)
        return
    finally:
        for var in ENV_VARS:
            monkeypatch.delenv(var, raising=False)
    with client:
        if "error" in expect:
            raise StepFailure(f"expected error {expect['error']}, but it built")
        want_url = _resolve(emu, "base_URL", expect["base_url"])
        if client.base_url != want_url:
            raise StepFailure(f"base_url: expected {want_url}, got {client.base_url}")
        if "token_kind" in expect and client.token_kind != expect["token_kind"]:
            raise StepFailure(
                f"token_kind: expected {expect['token_kind']}, got {client.token_kind}"
            )
        if "authorization" not in expect:
            return
        before = len(emu.requests())
        try:
            client.get_package("container", "api/server", org="acme")
        except ghpkg.GhpkgError:
            pass  # what was sent is the point, not the answer
        sent = emu.requests()[before:]
    if not sent:
        raise StepFailure("authorization: no request reached the emulator")
    want = expect["authorization"]
    if want is not None:
        scheme, rest = want.split(" ", 1)
        if scheme == "Basic":
            user, name = rest.split(":", 1)
            raw = f"{user}:{_resolve(emu, 'token', name)}".encode()
            want = "Basic " + base64.b64encode(raw).decode()
        else:
            want = f"Bearer {_resolve(emu, 'token', rest)}"
    have = sent[-1].header("authorization")
    if have != want:
        raise StepFailure(f"authorization: expected {want!r}, got {have!r}")


def run_step(emu: Emulator, step: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    if step["op"] == "client":
        run_client_step(emu, step, monkeypatch)
        return
    expect = step["expect"]
    before = len(emu.requests())
    with _client(emu, step.get("token", "demo")) as client:
        try:
            result = _call(client, step["op"], step["args"])
        except ghpkg.GhpkgError as err:
            if "error" not in expect:
                raise StepFailure(f"expected success, got {err.code}: {err}") from None
            _check_error(expect, err)
        else:
            if "error" in expect:
                raise StepFailure(f"expected error {expect['error']}, but it succeeded")
            _check_success(expect, result)
    sent = emu.requests()[before:]
    if step.get("sends_nothing") and sent:
        shown = [f"{r.method} {r.path}" for r in sent]
        raise StepFailure(f"expected no request, sent {shown}")
    if "wire" in step:
        _check_wire(step["wire"], sent)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(scenario: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator() as emu:
        for i, step in enumerate(scenario["steps"], 1):
            try:
                run_step(emu, step, monkeypatch)
            except StepFailure as e:
                pytest.fail(f"[{scenario['name']}] step {i} ({step['op']}): {e}", pytrace=False)
            except Exception as e:  # a wrong type, an unexpected exception class
                pytest.fail(
                    f"[{scenario['name']}] step {i} ({step['op']}): {type(e).__name__}: {e}",
                    pytrace=False,
                )
