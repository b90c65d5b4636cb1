"""ghpkg: a fast client for the GitHub Packages REST API.

``ghpkg.Client`` blocks (releasing the GIL while it waits);
``ghpkg.AsyncClient`` is its asyncio twin. Both list, inspect, delete and
restore packages and package versions of the authenticated user
(no owner keyword), an organization (``org="acme"``) or a user
(``user="octocat"``), and run the StackQL-style catalog. Listings are lazy
iterators; results are typed objects with ``to_dict()``; failures raise the
exceptions of :mod:`ghpkg.exceptions`. ``client.retention`` cleans up a
registry by policy, safely (:mod:`ghpkg.retention`). :mod:`ghpkg.testing`
runs a GitHub Packages emulator in-process for tests.
"""

from __future__ import annotations

import atexit as _atexit

from ghpkg._aio import AsyncClient
from ghpkg._native import (
    API_VERSION,
    DEFAULT_BASE_URL,
    MAX_PAGED_ITEMS,
    AsyncPackageListing,
    AsyncVersionListing,
    Client,
    MinimalRepository,
    Package,
    PackageListing,
    PackageVersion,
    RateLimit,
    SimpleUser,
    TokenScopes,
    VersionListing,
    __version__,
    catalog_resources,
)
from ghpkg._native import at_exit as _at_exit
from ghpkg.enums import PackageType, VersionState, Visibility
from ghpkg.exceptions import (
    AuthenticationError,
    ClientClosedError,
    DecodeError,
    GhpkgError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RejectedError,
    ServerError,
    TimeoutError,
    TransportError,
)
from ghpkg.retention import (
    ApplyEvents,
    AsyncApplyEvents,
    AsyncRetention,
    Plan,
    Policy,
    Retention,
)

# Let results still being handed from ghpkg's runtime threads to Python
# land before the interpreter finalizes.
_atexit.register(_at_exit)

__all__ = [
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "ApplyEvents",
    "AsyncApplyEvents",
    "AsyncRetention",
    "Plan",
    "Policy",
    "Retention",
    "MAX_PAGED_ITEMS",
    "AsyncClient",
    "AsyncPackageListing",
    "AsyncVersionListing",
    "AuthenticationError",
    "Client",
    "ClientClosedError",
    "DecodeError",
    "GhpkgError",
    "InvalidArgumentError",
    "MinimalRepository",
    "NotFoundError",
    "Package",
    "PackageListing",
    "PackageType",
    "PackageVersion",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RejectedError",
    "ServerError",
    "SimpleUser",
    "TimeoutError",
    "TokenScopes",
    "TransportError",
    "VersionListing",
    "VersionState",
    "Visibility",
    "__version__",
    "catalog_resources",
]
