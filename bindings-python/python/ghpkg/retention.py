"""Retention: cleaning up a registry by policy, safely.

A :class:`Policy` says what may go and what must stay. ``client.retention``
(:class:`Retention`, or :class:`AsyncRetention` on ``AsyncClient``) makes a
:class:`Plan` from it: every version, keep / delete / untag, and why; for
container images the whole image graph is read first, so a kept image never
loses a child, signature or attestation. Nothing is deleted until a reviewed
plan is applied; apply re-checks everything, paces its deletes, journals each
one (so a run resumes and can be undone for 30 days) and verifies the kept
images afterwards.

The policy, plan, events, report and journal are the same JSON in every
ghpkg front door; their types are in :mod:`ghpkg.retention_types`, and the
rules are the core's: this module only converts Python arguments.

Example::

    import ghpkg

    client = ghpkg.Client()
    plan = client.retention.plan("retention.json")
    print(plan.render("table"))
    report = client.retention.apply(plan, journal="journal.jsonl", deadline="25m")
    # within 30 days, if needed:
    client.retention.undo("journal.jsonl")
"""

from __future__ import annotations

import datetime
import json
import os
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Union,
)

from ghpkg import _native
from ghpkg._native import ApplyEvents, AsyncApplyEvents, Plan
from ghpkg.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    # Only annotations use the generated TypedDicts: importing them at run
    # time made them the largest Python module `import ghpkg` loads.
    from ghpkg._aio import AsyncClient
    from ghpkg._native import Client
    from ghpkg.retention_types import Event, PolicyDict, Report, VerifyReport

__all__ = [
    "IMPORT_TOOLS",
    "ApplyEvents",
    "AsyncApplyEvents",
    "AsyncRetention",
    "Plan",
    "Policy",
    "PolicySource",
    "Retention",
    "schemas",
]

#: What a policy can be given as: a :class:`Policy`, a ``dict``, the JSON
#: text, or the path of a JSON file (a ``str`` that does not start with
#: ``{``, or an ``os.PathLike``).
PolicySource = Union["Policy", Mapping[str, Any], str, "os.PathLike[str]"]
#: A duration: ``"25m"``, ``"1h"``, ``"7d"``, a ``timedelta``, or seconds.
Duration = Union[str, datetime.timedelta, int, float]

#: The tools :meth:`Policy.from_tool` reads the inputs of.
IMPORT_TOOLS: List[str] = list(_native.import_tools())


class Policy:
    """A retention policy, checked by the core when it is made: an unknown
    field, a bad pattern or a bad duration raises
    :class:`~ghpkg.InvalidArgumentError` naming the field.

    ``Policy(source)`` takes a ``dict``, the JSON text, or a path (``str`` or
    ``os.PathLike``) of a JSON file.
    """

    __slots__ = ("_json", "_hash")
    _json: str
    _hash: str

    def __init__(self, source: PolicySource) -> None:
        text, digest = _native.policy_check(_policy_text(source))
        self._json = text
        self._hash = digest

    @classmethod
    def from_tool(cls, tool: str, inputs: Mapping[str, Any]) -> Policy:
        """The policy another cleanup action's inputs describe: ``tool`` is
        one of :data:`IMPORT_TOOLS` (``crp`` for snok/container-retention-policy,
        ``dataaxiom`` for ghcr-cleanup-action, ``dpv`` for
        actions/delete-package-versions, ``vlaurin`` for
        action-ghcr-prune); ``inputs`` are the action's ``with:`` values."""
        values = {str(k): _input_text(v) for k, v in inputs.items()}
        return cls(_native.policy_import(tool, values))

    @property
    def hash(self) -> str:
        """``sha256:…`` of the policy, as plans record it."""
        return self._hash

    def to_dict(self) -> PolicyDict:
        """The policy with every default written out."""
        result: PolicyDict = json.loads(self._json)
        return result

    def to_json(self) -> str:
        """The policy as JSON, every default written out."""
        return self._json

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and other._hash == self._hash

    def __hash__(self) -> int:
        return hash(self._hash)

    def __repr__(self) -> str:
        d = json.loads(self._json)
        owner = _owner_text(d.get("owner"))
        return f"<ghpkg.Policy {d.get('package_type')} of {owner} {self._hash[:19]}>"


def schemas() -> Dict[str, Any]:
    """The JSON Schema of every retention format, by file name."""
    result: Dict[str, Any] = _native.schemas()
    return result


class Retention:
    """Retention through a blocking :class:`ghpkg.Client`
    (``client.retention``). Every call waits with the GIL released."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def plan(
        self,
        policy: PolicySource,
        *,
        now: Optional[datetime.datetime] = None,
        registry_url: Optional[str] = None,
        manifest_cache: Optional[Union[str, os.PathLike[str]]] = None,
    ) -> Plan:
        """Plans ``policy``: reads the covered packages, their versions and,
        for containers, every manifest (at most 8 at a time), and judges
        each version. Sends only reads. ``now`` pins the instant ages are
        judged at (a timezone-aware ``datetime``); ``registry_url`` is the
        container registry (default: the API host's, ``https://ghcr.io``);
        ``manifest_cache`` is a file that keeps manifests between plans.

        A package whose versions or manifests cannot all be read is
        *blocked* in the plan: nothing in it will be deleted."""
        return _native.plan(
            self._client, _policy_text(policy), _plan_options(now, registry_url, manifest_cache)
        )

    def apply_events(
        self,
        plan: Plan,
        *,
        journal: Union[str, os.PathLike[str]],
        deadline: Optional[Duration] = None,
        max_deletes: Optional[int] = None,
        deletes_per_minute: Optional[int] = None,
        max_plan_age: Optional[Duration] = None,
        verify: Optional[bool] = None,
        on_verify_failure: Optional[str] = None,
        require_full_budget: Optional[bool] = None,
        registry_url: Optional[str] = None,
    ) -> ApplyEvents:
        """Starts applying a reviewed ``plan`` and returns an iterator of its
        events (dicts: ``phase``, ``progress``, ``waiting``, ``outcome``, and
        the ``report`` last). See :meth:`apply` for the options. Ctrl-C, or
        ``close()`` (also on leaving a ``with`` block), stops the run after
        the delete in progress; the same plan and journal resume it."""
        options = _apply_options(
            journal=journal,
            deadline=deadline,
            max_deletes=max_deletes,
            deletes_per_minute=deletes_per_minute,
            max_plan_age=max_plan_age,
            verify=verify,
            on_verify_failure=on_verify_failure,
            require_full_budget=require_full_budget,
            registry_url=registry_url,
        )
        return _native.apply_events(self._client, _plan(plan), options)

    def apply(
        self,
        plan: Plan,
        *,
        journal: Union[str, os.PathLike[str]],
        deadline: Optional[Duration] = None,
        max_deletes: Optional[int] = None,
        deletes_per_minute: Optional[int] = None,
        max_plan_age: Optional[Duration] = None,
        verify: Optional[bool] = None,
        on_verify_failure: Optional[str] = None,
        require_full_budget: Optional[bool] = None,
        registry_url: Optional[str] = None,
        progress: Optional[Callable[[Event], None]] = None,
    ) -> Report:
        """Applies a reviewed ``plan`` and returns the report.

        First the preconditions: the plan is recent (``max_plan_age``,
        default 1 hour), made against this API host by this token's user,
        and the token can delete. Then everything is read again: only what
        the reviewed plan and a fresh plan both delete, unchanged, is
        deleted. Every delete is written to ``journal`` (JSON Lines) before
        it is sent; an existing journal of the same plan is resumed.

        ``deadline`` stops starting deletes after that long and
        ``max_deletes`` after that many (the rest is ``deferred``);
        ``deletes_per_minute`` paces them (default 150, at most 180);
        ``verify`` (default: on for containers) resolves every kept tag
        afterwards, and ``on_verify_failure="undo_run"`` undoes the run if
        an image came out broken. ``progress`` is called with every event.
        Ctrl-C stops after the delete in progress and raises
        ``KeyboardInterrupt``; the journal resumes the run."""
        events = self.apply_events(
            plan,
            journal=journal,
            deadline=deadline,
            max_deletes=max_deletes,
            deletes_per_minute=deletes_per_minute,
            max_plan_age=max_plan_age,
            verify=verify,
            on_verify_failure=on_verify_failure,
            require_full_budget=require_full_budget,
            registry_url=registry_url,
        )
        return _last_report(events, progress)

    def undo(
        self,
        journal: Union[str, os.PathLike[str]],
        *,
        dry_run: bool = False,
        undo_journal: Optional[Union[str, os.PathLike[str]]] = None,
        packages: Optional[Iterable[str]] = None,
        version_ids: Optional[Iterable[int]] = None,
        restores_per_minute: Optional[int] = None,
        registry_url: Optional[str] = None,
    ) -> Report:
        """Restores what the run recorded in ``journal`` deleted, within
        GitHub's 30 days: children before the images that list them, tags
        an untag removed last. ``dry_run`` only reports what would come back
        (``restorable``, ``not_deleted``, ``expired``). The undo writes its own
        journal (default: ``journal`` + ``.undo.jsonl``), so it resumes too."""
        options = _options(
            dry_run=dry_run,
            journal=undo_journal,
            packages=None if packages is None else list(packages),
            version_ids=None if version_ids is None else list(version_ids),
            restores_per_minute=restores_per_minute,
            registry_url=registry_url,
        )
        report: Report = _native.undo(self._client, _path("journal", journal), options)
        return report

    def recover(
        self,
        package_type: str,
        package: str,
        *,
        since: Union[datetime.datetime, Duration],
        journal: Union[str, os.PathLike[str]],
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> int:
        """For a lost journal: writes ``journal`` (which must not exist) with
        the versions of one package deleted since ``since`` (a
        ``datetime``, or a duration ago), for :meth:`undo` to restore.
        Returns how many it found."""
        return _native.recover(
            self._client,
            str(package_type),
            package,
            _since(since),
            _path("journal", journal),
            org=org,
            user=user,
        )

    def verify(self, plan: Plan, *, registry_url: Optional[str] = None) -> VerifyReport:
        """Checks that every image ``plan`` keeps still resolves with all
        its children (``HEAD`` requests, which GitHub does not count as
        downloads): ``{"checked_tags": N, "broken": [...]}``."""
        report: VerifyReport = _native.verify(self._client, _plan(plan), registry_url)
        return report

    def __repr__(self) -> str:
        return f"<ghpkg.Retention of {self._client!r}>"


class AsyncRetention:
    """Retention through :class:`ghpkg.AsyncClient` (``client.retention``):
    the same calls as :class:`Retention`, as coroutines, and
    :meth:`apply_events` as an async iterator."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def plan(
        self,
        policy: PolicySource,
        *,
        now: Optional[datetime.datetime] = None,
        registry_url: Optional[str] = None,
        manifest_cache: Optional[Union[str, os.PathLike[str]]] = None,
    ) -> Plan:
        plan: Plan = await _native.plan_async(
            self._client._core,
            _policy_text(policy),
            _plan_options(now, registry_url, manifest_cache),
        )
        return plan

    def apply_events(
        self,
        plan: Plan,
        *,
        journal: Union[str, os.PathLike[str]],
        deadline: Optional[Duration] = None,
        max_deletes: Optional[int] = None,
        deletes_per_minute: Optional[int] = None,
        max_plan_age: Optional[Duration] = None,
        verify: Optional[bool] = None,
        on_verify_failure: Optional[str] = None,
        require_full_budget: Optional[bool] = None,
        registry_url: Optional[str] = None,
    ) -> AsyncApplyEvents:
        options = _apply_options(
            journal=journal,
            deadline=deadline,
            max_deletes=max_deletes,
            deletes_per_minute=deletes_per_minute,
            max_plan_age=max_plan_age,
            verify=verify,
            on_verify_failure=on_verify_failure,
            require_full_budget=require_full_budget,
            registry_url=registry_url,
        )
        return _native.apply_events_async(self._client._core, _plan(plan), options)

    async def apply(
        self,
        plan: Plan,
        *,
        journal: Union[str, os.PathLike[str]],
        deadline: Optional[Duration] = None,
        max_deletes: Optional[int] = None,
        deletes_per_minute: Optional[int] = None,
        max_plan_age: Optional[Duration] = None,
        verify: Optional[bool] = None,
        on_verify_failure: Optional[str] = None,
        require_full_budget: Optional[bool] = None,
        registry_url: Optional[str] = None,
        progress: Optional[Callable[[Event], None]] = None,
    ) -> Report:
        events = self.apply_events(
            plan,
            journal=journal,
            deadline=deadline,
            max_deletes=max_deletes,
            deletes_per_minute=deletes_per_minute,
            max_plan_age=max_plan_age,
            verify=verify,
            on_verify_failure=on_verify_failure,
            require_full_budget=require_full_budget,
            registry_url=registry_url,
        )
        report: Optional[Report] = None
        try:
            async for event in events:
                if progress is not None:
                    progress(event)
                if event["type"] == "report":
                    report = event["report"]
        except BaseException:
            await events.aclose()
            raise
        if report is None:  # pragma: no cover - the core always ends with the report
            raise InvalidArgumentError("the run ended without a report")
        return report

    async def undo(
        self,
        journal: Union[str, os.PathLike[str]],
        *,
        dry_run: bool = False,
        undo_journal: Optional[Union[str, os.PathLike[str]]] = None,
        packages: Optional[Iterable[str]] = None,
        version_ids: Optional[Iterable[int]] = None,
        restores_per_minute: Optional[int] = None,
        registry_url: Optional[str] = None,
    ) -> Report:
        options = _options(
            dry_run=dry_run,
            journal=undo_journal,
            packages=None if packages is None else list(packages),
            version_ids=None if version_ids is None else list(version_ids),
            restores_per_minute=restores_per_minute,
            registry_url=registry_url,
        )
        report: Report = await _native.undo_async(
            self._client._core, _path("journal", journal), options
        )
        return report

    async def recover(
        self,
        package_type: str,
        package: str,
        *,
        since: Union[datetime.datetime, Duration],
        journal: Union[str, os.PathLike[str]],
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> int:
        found: int = await _native.recover_async(
            self._client._core,
            str(package_type),
            package,
            _since(since),
            _path("journal", journal),
            org=org,
            user=user,
        )
        return found

    async def verify(self, plan: Plan, *, registry_url: Optional[str] = None) -> VerifyReport:
        report: VerifyReport = await _native.verify_async(
            self._client._core, _plan(plan), registry_url
        )
        return report

    def __repr__(self) -> str:
        return f"<ghpkg.AsyncRetention of {self._client!r}>"


for _name in ("plan", "apply_events", "apply", "undo", "recover", "verify"):
    getattr(AsyncRetention, _name).__doc__ = getattr(Retention, _name).__doc__


# ---- conversions: Python values to the core's JSON ----


def _policy_text(source: PolicySource) -> str:
    if isinstance(source, Policy):
        return source.to_json()
    if isinstance(source, Mapping):
        return json.dumps(dict(source))
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError as e:
            raise InvalidArgumentError(
                f"cannot read the policy {path}: {e.strerror or e}"
            ) from None
        except UnicodeDecodeError:
            raise InvalidArgumentError(f"the policy {path} is not UTF-8") from None
    raise TypeError(
        f"policy must be a Policy, dict, JSON text or path, not {type(source).__name__}"
    )


def _plan(plan: Plan) -> Plan:
    if not isinstance(plan, Plan):
        got = type(plan).__name__
        raise TypeError(f"plan must be a ghpkg.Plan (Plan.from_json reads a saved one), not {got}")
    return plan


def _path(what: str, value: Union[str, os.PathLike[str]]) -> str:
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, str) and path:
            return path
    raise TypeError(f"{what} must be a non-empty path (str or os.PathLike), not {value!r}")


def _duration(what: str, value: Duration) -> str:
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a duration, not bool")
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)):
        seconds = float(value)
    else:
        raise TypeError(
            f'{what} must be a duration ("25m", timedelta or seconds), not {type(value).__name__}'
        )
    if seconds < 0 or seconds != seconds or seconds in (float("inf"),):
        raise InvalidArgumentError(f"{what} must be a positive duration")
    return f"{int(seconds)}s"


def _when(what: str, value: datetime.datetime) -> str:
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise InvalidArgumentError(
            f"{what} must be timezone-aware (e.g. datetime.now(timezone.utc))"
        )
    return value.isoformat()


def _since(value: Union[datetime.datetime, Duration]) -> str:
    if isinstance(value, datetime.datetime):
        return _when("since", value)
    return _duration("since", value)


def _options(**values: Any) -> str:
    return json.dumps({k: v for k, v in values.items() if v is not None})


def _plan_options(
    now: Optional[datetime.datetime],
    registry_url: Optional[str],
    manifest_cache: Optional[Union[str, os.PathLike[str]]],
) -> str:
    return _options(
        now=None if now is None else _when("now", now),
        registry_url=registry_url,
        manifest_cache=None if manifest_cache is None else _path("manifest_cache", manifest_cache),
    )


def _apply_options(
    *,
    journal: Union[str, os.PathLike[str]],
    deadline: Optional[Duration],
    max_deletes: Optional[int],
    deletes_per_minute: Optional[int],
    max_plan_age: Optional[Duration],
    verify: Optional[bool],
    on_verify_failure: Optional[str],
    require_full_budget: Optional[bool],
    registry_url: Optional[str],
) -> str:
    return _options(
        journal=_path("journal", journal),
        deadline=None if deadline is None else _duration("deadline", deadline),
        max_deletes=max_deletes,
        deletes_per_minute=deletes_per_minute,
        max_plan_age=None if max_plan_age is None else _duration("max_plan_age", max_plan_age),
        verify=verify,
        on_verify_failure=on_verify_failure,
        require_full_budget=require_full_budget,
        registry_url=registry_url,
    )


def _input_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_input_text(v) for v in value)
    return str(value)


def _owner_text(owner: Any) -> str:
    if isinstance(owner, dict):
        return next(iter(owner.values()), "?")
    return str(owner)


def _last_report(events: Iterator[Event], progress: Optional[Callable[[Event], None]]) -> Report:
    report: Optional[Report] = None
    with events:  # type: ignore[attr-defined]
        for event in events:
            if progress is not None:
                progress(event)
            if event["type"] == "report":
                report = event["report"]
    if report is None:  # pragma: no cover - the core always ends with the report
        raise InvalidArgumentError("the run ended without a report")
    return report
