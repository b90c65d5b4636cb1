"""The enums ghpkg accepts wherever it takes a package type, visibility or
version state. Each member is also a ``str`` with GitHub's spelling, so plain
strings work everywhere too."""

from __future__ import annotations

from enum import Enum

__all__ = ["PackageType", "Visibility", "VersionState"]


class _StrEnum(str, Enum):
    def __str__(self) -> str:
        return str(self.value)


class PackageType(_StrEnum):
    """A GitHub Packages registry. Gradle packages are ``MAVEN``; ghcr.io
    images are ``CONTAINER``."""

    NPM = "npm"
    MAVEN = "maven"
    RUBYGEMS = "rubygems"
    DOCKER = "docker"
    NUGET = "nuget"
    CONTAINER = "container"


class Visibility(_StrEnum):
    """A package's visibility. ``INTERNAL`` is only a listing filter."""

    PUBLIC = "public"
    PRIVATE = "private"
    INTERNAL = "internal"


class VersionState(_StrEnum):
    """Which versions a listing returns: existing ones, or those deleted in
    the last 30 days (restorable)."""

    ACTIVE = "active"
    DELETED = "deleted"
