"""Type stubs of ``ghpkg._native``, the compiled half of ghpkg."""

import datetime
from types import TracebackType
from typing import (
    Any,
    Awaitable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    final,
)

from ghpkg.enums import PackageType, VersionState, Visibility
from ghpkg.retention import Retention
from ghpkg.retention_types import (
    Edit,
    Event,
    PackagePlan,
    PlanDict,
    PlanWarning,
    PolicyDict,
    Report,
    Target,
    Totals,
    VerifyReport,
)

_Seconds = Union[float, datetime.timedelta]
_Self = TypeVar("_Self")

__all__ = [
    "__version__",
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "USER_AGENT",
    "MAX_PAGED_ITEMS",
    "Client",
    "AsyncCore",
    "PackageListing",
    "VersionListing",
    "AsyncPackageListing",
    "AsyncVersionListing",
    "Package",
    "PackageVersion",
    "SimpleUser",
    "MinimalRepository",
    "TokenScopes",
    "RateLimit",
    "EmulatorServer",
    "Plan",
    "ApplyEvents",
    "AsyncApplyEvents",
    "policy_check",
    "policy_import",
    "import_tools",
    "schemas",
    "plan",
    "apply_events",
    "undo",
    "recover",
    "verify",
    "plan_async",
    "apply_events_async",
    "undo_async",
    "recover_async",
    "verify_async",
    "error_table",
    "catalog_resources",
    "enum_values",
    "emulator_tokens",
    "at_exit",
]
__version__: str
API_VERSION: str
DEFAULT_BASE_URL: str
USER_AGENT: str
MAX_PAGED_ITEMS: int

def error_table() -> List[Tuple[str, str, int, bool]]: ...
def catalog_resources() -> List[Dict[str, Any]]: ...
def enum_values() -> List[Tuple[str, List[str]]]: ...
def emulator_tokens() -> List[Tuple[str, str, str]]: ...
def at_exit() -> None: ...

@final
class SimpleUser:
    """A GitHub user or organization."""

    @property
    def login(self) -> str: ...
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def html_url(self) -> str: ...
    @property
    def avatar_url(self) -> str: ...
    @property
    def site_admin(self) -> bool: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimpleUser: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class MinimalRepository:
    """A repository a package is linked to."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def private(self) -> bool: ...
    @property
    def html_url(self) -> str: ...
    @property
    def owner(self) -> Optional[SimpleUser]: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MinimalRepository: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Package:
    """A package in a GitHub Packages registry."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def package_type(self) -> PackageType: ...
    @property
    def visibility(self) -> Visibility: ...
    @property
    def url(self) -> str: ...
    @property
    def html_url(self) -> str: ...
    @property
    def version_count(self) -> int: ...
    @property
    def owner(self) -> Optional[SimpleUser]: ...
    @property
    def repository(self) -> Optional[MinimalRepository]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Package: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PackageVersion:
    """A version of a package; for containers ``name`` is the manifest digest."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def package_html_url(self) -> str: ...
    @property
    def html_url(self) -> Optional[str]: ...
    @property
    def license(self) -> Optional[str]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def deleted_at(self) -> Optional[datetime.datetime]: ...
    @property
    def metadata(self) -> Optional[Dict[str, Any]]: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def is_untagged(self) -> bool: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PackageVersion: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class TokenScopes:
    """What the configured token can do with GitHub Packages."""

    @property
    def token_kind(self) -> str: ...
    @property
    def scopes(self) -> Optional[List[str]]: ...
    @property
    def can_read(self) -> bool: ...
    @property
    def can_delete(self) -> bool: ...
    @property
    def can_restore(self) -> bool: ...
    @property
    def has_repo(self) -> bool: ...
    @property
    def problem(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class RateLimit:
    """GitHub's ``x-ratelimit-*`` headers from one response."""

    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def used(self) -> int: ...
    @property
    def reset(self) -> datetime.datetime: ...
    @property
    def resource(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class PackageListing(Iterator[Package]):
    """A lazy listing of packages."""

    def __iter__(self) -> PackageListing: ...
    def __next__(self) -> Package: ...
    def collect(self) -> List[Package]: ...
    @property
    def reached_paging_limit(self) -> bool: ...

@final
class VersionListing(Iterator[PackageVersion]):
    """A lazy listing of package versions."""

    def __iter__(self) -> VersionListing: ...
    def __next__(self) -> PackageVersion: ...
    def collect(self) -> List[PackageVersion]: ...
    @property
    def reached_paging_limit(self) -> bool: ...

@final
class AsyncPackageListing:
    """A lazy listing of packages for ``async for``."""

    def __aiter__(self) -> AsyncPackageListing: ...
    def __anext__(self) -> Awaitable[Package]: ...
    def collect(self) -> Awaitable[List[Package]]: ...
    @property
    def reached_paging_limit(self) -> bool: ...

@final
class AsyncVersionListing:
    """A lazy listing of package versions for ``async for``."""

    def __aiter__(self) -> AsyncVersionListing: ...
    def __anext__(self) -> Awaitable[PackageVersion]: ...
    def collect(self) -> Awaitable[List[PackageVersion]]: ...
    @property
    def reached_paging_limit(self) -> bool: ...

@final
class Client:
    """A blocking GitHub Packages client; safe to share between threads.

    Every call releases the GIL while it waits and can be interrupted with
    Ctrl-C. Options given explicitly win; the environment fills what is
    unset (unless ``use_env=False``): without ``token``, ``username`` or
    ``anonymous`` the credentials come from ``GITHUB_TOKEN``, ``GH_TOKEN``,
    then ``STACKQL_GITHUB_USERNAME`` and ``STACKQL_GITHUB_PASSWORD``; without
    ``base_url``, from ``GITHUB_API_URL``.
    ``None`` options keep the core's defaults: ``timeout`` 30 s,
    ``connect_timeout`` 10 s, ``max_retries`` 3, ``retry_backoff`` 0.25 s,
    ``max_rate_limit_wait`` 120 s, ``read_ahead`` 4, ``per_page`` 100.
    """

    def __new__(
        cls,
        token: Optional[str] = None,
        *,
        username: Optional[str] = None,
        base_url: Optional[str] = None,
        user_agent: Optional[str] = None,
        timeout: Optional[_Seconds] = None,
        connect_timeout: Optional[_Seconds] = None,
        max_retries: Optional[int] = None,
        retry_backoff: Optional[_Seconds] = None,
        max_rate_limit_wait: Optional[_Seconds] = None,
        read_ahead: Optional[int] = None,
        per_page: Optional[int] = None,
        allow_insecure_http: bool = False,
        anonymous: bool = False,
        use_env: bool = True,
    ) -> Client: ...
    def list_packages(
        self,
        package_type: Union[PackageType, str],
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        visibility: Union[Visibility, str, None] = None,
    ) -> PackageListing: ...
    def get_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Package: ...
    def delete_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None: ...
    def restore_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        token: Optional[str] = None,
    ) -> None: ...
    def list_versions(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        state: Union[VersionState, str, None] = None,
    ) -> VersionListing: ...
    def get_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> PackageVersion: ...
    def delete_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None: ...
    def restore_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None: ...
    def docker_conflicts(
        self, *, org: Optional[str] = None, user: Optional[str] = None
    ) -> PackageListing: ...
    def scopes(self) -> TokenScopes: ...
    def catalog_select(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> List[Dict[str, Any]]: ...
    def catalog_delete(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> None: ...
    def catalog_exec(
        self,
        resource: str,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        /,
        **kwargs: Any,
    ) -> List[Dict[str, Any]]: ...
    @property
    def base_url(self) -> Optional[str]: ...
    @property
    def token_kind(self) -> Optional[str]: ...
    @property
    def rate_limit(self) -> Optional[RateLimit]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def retention(self) -> Retention:
        """Retention: plan a policy, apply a reviewed plan, undo a run."""
    def close(self) -> None: ...
    def __enter__(self: _Self) -> _Self: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

@final
class AsyncCore:
    """The native engine of ``ghpkg.AsyncClient``; its methods return asyncio futures."""

    def __new__(
        cls,
        token: Optional[str] = None,
        *,
        username: Optional[str] = None,
        base_url: Optional[str] = None,
        user_agent: Optional[str] = None,
        timeout: Optional[_Seconds] = None,
        connect_timeout: Optional[_Seconds] = None,
        max_retries: Optional[int] = None,
        retry_backoff: Optional[_Seconds] = None,
        max_rate_limit_wait: Optional[_Seconds] = None,
        read_ahead: Optional[int] = None,
        per_page: Optional[int] = None,
        allow_insecure_http: bool = False,
        anonymous: bool = False,
        use_env: bool = True,
    ) -> AsyncCore: ...
    def list_packages(
        self,
        package_type: Union[PackageType, str],
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        visibility: Union[Visibility, str, None] = None,
    ) -> AsyncPackageListing: ...
    def get_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Awaitable[Package]: ...
    def delete_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Awaitable[None]: ...
    def restore_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        token: Optional[str] = None,
    ) -> Awaitable[None]: ...
    def list_versions(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        state: Union[VersionState, str, None] = None,
    ) -> AsyncVersionListing: ...
    def get_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Awaitable[PackageVersion]: ...
    def delete_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Awaitable[None]: ...
    def restore_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Awaitable[None]: ...
    def docker_conflicts(
        self, *, org: Optional[str] = None, user: Optional[str] = None
    ) -> AsyncPackageListing: ...
    def scopes(self) -> Awaitable[TokenScopes]: ...
    def catalog_select(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> Awaitable[List[Dict[str, Any]]]: ...
    def catalog_delete(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> Awaitable[None]: ...
    def catalog_exec(
        self,
        resource: str,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        /,
        **kwargs: Any,
    ) -> Awaitable[List[Dict[str, Any]]]: ...
    @property
    def base_url(self) -> Optional[str]: ...
    @property
    def token_kind(self) -> Optional[str]: ...
    @property
    def rate_limit(self) -> Optional[RateLimit]: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...

@final
class EmulatorServer:
    """The native half of ``ghpkg.testing.Emulator``."""

    def __new__(
        cls,
        fixture_json: Optional[str] = None,
        *,
        port: int = 0,
        latency: Optional[_Seconds] = None,
        link_headers: bool = True,
        secondary_points_per_minute: int = 900,
        head_counts_as_download: bool = False,
        restore_reattaches_tags: bool = True,
    ) -> EmulatorServer: ...
    @property
    def url(self) -> str: ...
    @property
    def registry_url(self) -> str: ...
    @property
    def token(self) -> Optional[str]: ...
    def requests(
        self,
    ) -> List[Tuple[str, str, Optional[str], List[Tuple[str, str]], int]]: ...
    def clear_requests(self) -> None: ...
    def inject(self, rule_json: str) -> None: ...
    def clear_faults(self) -> None: ...
    def set_latency(self, seconds: _Seconds) -> None: ...
    def set_link_headers(self, on: bool) -> None: ...
    def set_secondary_points_per_minute(self, points: int) -> None: ...
    def set_head_counts_as_download(self, on: bool) -> None: ...
    def set_restore_reattaches_tags(self, on: bool) -> None: ...
    def reset_rate_limits(self) -> None: ...
    def advance_clock(self, seconds: _Seconds) -> None: ...
    def now(self) -> datetime.datetime: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...

@final
class Plan:
    """A plan: every version of the covered packages, keep / delete / untag,
    and why. Immutable; review edits return a new plan. Pickles as its JSON."""

    @staticmethod
    def from_json(plan: Union[str, bytes, Mapping[str, Any]]) -> Plan:
        """Reads a plan saved with ``to_json()``; refuses a hand-edited policy."""
    def to_json(self) -> str:
        """The plan as JSON, exactly as every front door writes it."""
    def to_dict(self) -> PlanDict:
        """The plan as plain Python data."""
    def render(self, format: str = "table") -> str:
        """``"markdown"``, ``"table"``, ``"json"`` or ``"ndjson"``."""
    def deletions(self) -> List[Dict[str, Any]]:
        """Every planned change (deletions and untags) in apply order, each an
        action dict with its ``package``."""
    def without_versions(self, version_ids: List[int]) -> Plan:
        """A copy that keeps these versions (review edits only keep more)."""
    def only_packages(self, packages: List[str]) -> Plan:
        """A copy that changes only these packages."""
    @property
    def id(self) -> str: ...
    @property
    def now(self) -> datetime.datetime: ...
    @property
    def policy_hash(self) -> str: ...
    @property
    def policy(self) -> PolicyDict: ...
    @property
    def target(self) -> Target: ...
    @property
    def totals(self) -> Totals: ...
    @property
    def packages(self) -> List[PackagePlan]: ...
    @property
    def warnings(self) -> List[PlanWarning]: ...
    @property
    def edits(self) -> List[Edit]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class ApplyEvents(Iterator[Event]):
    """The events of a run; the last is the report. Ctrl-C or ``close()``
    stops the run after the delete in progress."""

    def __iter__(self) -> ApplyEvents: ...
    def __next__(self) -> Event: ...
    def stop(self) -> None:
        """Asks the run to stop after the delete in progress; does not wait."""
    def close(self) -> None:
        """Stops the run and waits for it to end."""
    @property
    def stopped(self) -> bool: ...
    def __enter__(self: _Self) -> _Self: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

@final
class AsyncApplyEvents:
    """The events of a run for ``async for``; the last is the report."""

    def __aiter__(self) -> AsyncApplyEvents: ...
    def __anext__(self) -> Awaitable[Event]: ...
    def stop(self) -> None:
        """Asks the run to stop after the delete in progress; does not wait."""
    def aclose(self) -> Awaitable[None]:
        """Stops the run and waits for it to end."""
    @property
    def stopped(self) -> bool: ...

def policy_check(policy: str) -> Tuple[str, str]: ...
def policy_import(tool: str, inputs: Mapping[str, str]) -> str: ...
def import_tools() -> List[str]: ...
def schemas() -> Dict[str, Any]: ...
def plan(client: Client, policy: str, options: str) -> Plan: ...
def apply_events(client: Client, plan: Plan, options: str) -> ApplyEvents: ...
def undo(client: Client, journal: str, options: str) -> Report: ...
def recover(
    client: Client,
    package_type: Union[str, PackageType],
    package: str,
    since: str,
    journal: str,
    org: Optional[str] = None,
    user: Optional[str] = None,
) -> int: ...
def verify(client: Client, plan: Plan, registry_url: Optional[str] = None) -> VerifyReport: ...
def plan_async(core: AsyncCore, policy: str, options: str) -> Awaitable[Plan]: ...
def apply_events_async(core: AsyncCore, plan: Plan, options: str) -> AsyncApplyEvents: ...
def undo_async(core: AsyncCore, journal: str, options: str) -> Awaitable[Report]: ...
def recover_async(
    core: AsyncCore,
    package_type: Union[str, PackageType],
    package: str,
    since: str,
    journal: str,
    org: Optional[str] = None,
    user: Optional[str] = None,
) -> Awaitable[int]: ...
def verify_async(
    core: AsyncCore, plan: Plan, registry_url: Optional[str] = None
) -> Awaitable[VerifyReport]: ...
