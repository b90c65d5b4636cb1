"""``ghpkg.AsyncClient``: the asyncio client.

Each method is a coroutine over the native engine, which runs the request on
ghpkg's shared tokio runtime without blocking the event loop. Cancelling the
task that awaits a call cancels its request. Listings are async iterators.
"""

from __future__ import annotations

import datetime
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Type, Union

from ghpkg import _native
from ghpkg._native import (
    AsyncPackageListing,
    AsyncVersionListing,
    Package,
    PackageVersion,
    RateLimit,
    TokenScopes,
)
from ghpkg.enums import PackageType, VersionState, Visibility
from ghpkg.retention import AsyncRetention

__all__ = ["AsyncClient"]

Seconds = Union[float, datetime.timedelta]


class AsyncClient:
    """An asyncio GitHub Packages client with the same options and
    operations as :class:`ghpkg.Client`; every operation is a coroutine and
    every listing an async iterator.

    Use it as ``async with ghpkg.AsyncClient(...) as client:`` or call
    :meth:`close` when done. Safe to share between tasks.
    """

    __slots__ = ("_core",)

    def __init__(
        self,
        token: Optional[str] = None,
        *,
        username: Optional[str] = None,
        base_url: Optional[str] = None,
        user_agent: Optional[str] = None,
        timeout: Optional[Seconds] = None,
        connect_timeout: Optional[Seconds] = None,
        max_retries: Optional[int] = None,
        retry_backoff: Optional[Seconds] = None,
        max_rate_limit_wait: Optional[Seconds] = None,
        read_ahead: Optional[int] = None,
        per_page: Optional[int] = None,
        allow_insecure_http: bool = False,
        anonymous: bool = False,
        use_env: bool = True,
    ) -> None:
        self._core = _native.AsyncCore(
            token,
            username=username,
            base_url=base_url,
            user_agent=user_agent,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            max_rate_limit_wait=max_rate_limit_wait,
            read_ahead=read_ahead,
            per_page=per_page,
            allow_insecure_http=allow_insecure_http,
            anonymous=anonymous,
            use_env=use_env,
        )

    def list_packages(
        self,
        package_type: Union[PackageType, str],
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        visibility: Union[Visibility, str, None] = None,
    ) -> AsyncPackageListing:
        return self._core.list_packages(package_type, org=org, user=user, visibility=visibility)

    async def get_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> Package:
        return await self._core.get_package(package_type, name, org=org, user=user)

    async def delete_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None:
        await self._core.delete_package(package_type, name, org=org, user=user)

    async def restore_package(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        token: Optional[str] = None,
    ) -> None:
        await self._core.restore_package(package_type, name, org=org, user=user, token=token)

    def list_versions(
        self,
        package_type: Union[PackageType, str],
        name: str,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
        state: Union[VersionState, str, None] = None,
    ) -> AsyncVersionListing:
        return self._core.list_versions(package_type, name, org=org, user=user, state=state)

    async def get_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> PackageVersion:
        return await self._core.get_version(package_type, name, version_id, org=org, user=user)

    async def delete_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None:
        await self._core.delete_version(package_type, name, version_id, org=org, user=user)

    async def restore_version(
        self,
        package_type: Union[PackageType, str],
        name: str,
        version_id: int,
        *,
        org: Optional[str] = None,
        user: Optional[str] = None,
    ) -> None:
        await self._core.restore_version(package_type, name, version_id, org=org, user=user)

    def docker_conflicts(
        self, *, org: Optional[str] = None, user: Optional[str] = None
    ) -> AsyncPackageListing:
        return self._core.docker_conflicts(org=org, user=user)

    async def scopes(self) -> TokenScopes:
        return await self._core.scopes()

    async def catalog_select(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> List[Dict[str, Any]]:
        return await self._core.catalog_select(resource, params, **kwargs)

    async def catalog_delete(
        self, resource: str, params: Optional[Mapping[str, Any]] = None, /, **kwargs: Any
    ) -> None:
        await self._core.catalog_delete(resource, params, **kwargs)

    async def catalog_exec(
        self,
        resource: str,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        /,
        **kwargs: Any,
    ) -> List[Dict[str, Any]]:
        return await self._core.catalog_exec(resource, method, params, **kwargs)

    @property
    def base_url(self) -> Optional[str]:
        return self._core.base_url

    @property
    def token_kind(self) -> Optional[str]:
        return self._core.token_kind

    @property
    def rate_limit(self) -> Optional[RateLimit]:
        return self._core.rate_limit

    @property
    def closed(self) -> bool:
        return self._core.closed

    @property
    def retention(self) -> AsyncRetention:
        """Retention: plan a policy, apply a reviewed plan, undo a run (coroutines)."""
        return AsyncRetention(self)

    def close(self) -> None:
        self._core.close()

    async def aclose(self) -> None:
        """Like :meth:`close`, for ``await``."""
        self._core.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self._core.close()

    def __repr__(self) -> str:
        return repr(self._core)


def _share_docstrings() -> None:
    """Gives each coroutine the docstring of the native method it awaits:
    the one definition of the client's methods carries the documentation."""
    for name, member in list(vars(AsyncClient).items()):
        native = getattr(_native.AsyncCore, name, None)
        doc = getattr(native, "__doc__", None)
        if not doc or name.startswith("_"):
            continue
        if isinstance(member, property):
            if member.__doc__ is None:
                setattr(AsyncClient, name, property(member.fget, member.fset, member.fdel, doc))
        elif getattr(member, "__doc__", None) is None:
            member.__doc__ = doc


_share_docstrings()
