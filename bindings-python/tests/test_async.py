"""The asyncio client: every operation for the three owners, async
iteration with the same laziness, errors, and concurrency on one loop."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from typing import Any, Dict, List

import pytest
from test_operations import SCENARIO

import ghpkg
from ghpkg.testing import Emulator, Fault
from helpers import OWNERS, paths, query, run


def test_methods_are_coroutine_functions() -> None:
    for name in (
        "get_package",
        "delete_package",
        "restore_package",
        "get_version",
        "delete_version",
        "restore_version",
        "scopes",
        "catalog_select",
        "catalog_delete",
        "catalog_exec",
        "aclose",
    ):
        assert inspect.iscoroutinefunction(getattr(ghpkg.AsyncClient, name)), name
    for name in ("list_packages", "list_versions", "docker_conflicts", "close"):
        assert not inspect.iscoroutinefunction(getattr(ghpkg.AsyncClient, name)), name


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_every_operation(emu: Emulator, who: Dict[str, str], prefix: str) -> None:
    s = SCENARIO[prefix]

    async def main() -> None:
        async with emu.async_client() as c:
            names = [p.name async for p in c.list_packages("container", **who)]
            assert s["containers"] <= set(names)
            pkg = await c.get_package("container", s["name"], **who)
            assert pkg.name == s["name"]
            versions = [v async for v in c.list_versions("container", s["name"], **who)]
            assert s["untagged"] in {v.id for v in versions}
            v = await c.get_version("container", s["name"], s["tagged"], **who)
            assert v.tags
            await c.delete_version("container", s["name"], s["untagged"], **who)
            gone = await c.list_versions("container", s["name"], state="deleted", **who).collect()
            assert s["untagged"] in {x.id for x in gone}
            await c.restore_version("container", s["name"], s["untagged"], **who)
            await c.delete_package("container", s["name"], **who)
            with pytest.raises(ghpkg.NotFoundError):
                await c.get_package("container", s["name"], **who)
            await c.restore_package("container", s["name"], **who)
            conflicts = [p.name async for p in c.docker_conflicts(**who)]
            assert conflicts == s["conflicts"]

    run(main())
    e = s["encoded"]
    # Consecutive requests to the same path (pages of a listing) count once.
    assert [k for k, _ in itertools.groupby(paths(emu))] == [
        f"GET {prefix}/packages",
        f"GET {prefix}/packages/container/{e}",
        f"GET {prefix}/packages/container/{e}/versions",
        f"GET {prefix}/packages/container/{e}/versions/{s['tagged']}",
        f"DELETE {prefix}/packages/container/{e}/versions/{s['untagged']}",
        f"GET {prefix}/packages/container/{e}/versions",
        f"POST {prefix}/packages/container/{e}/versions/{s['untagged']}/restore",
        f"DELETE {prefix}/packages/container/{e}",
        f"GET {prefix}/packages/container/{e}",
        f"POST {prefix}/packages/container/{e}/restore",
        f"GET {prefix}/docker/conflicts",
    ]


def test_scopes_and_catalog(emu: Emulator) -> None:
    async def main() -> None:
        async with emu.async_client() as c:
            s = await c.scopes()
            assert s.can_delete
            rows = await c.catalog_select("packages", {"org": "acme", "package_type": "npm"})
            assert [r["name"] for r in rows] == ["ui-kit", "single-version"]
            await c.catalog_delete(
                "packages", org="acme", package_type="npm", package_name="ui-kit"
            )
            rows = await c.catalog_exec(
                "packages",
                "restore_package_for_org",
                org="acme",
                package_type="npm",
                package_name="ui-kit",
            )
            assert rows == []
            assert c.rate_limit is not None and c.base_url == emu.url
            assert c.token_kind == "classic"

    run(main())


def test_async_listing_is_lazy(emu: Emulator) -> None:
    async def main() -> List[int]:
        async with emu.async_client(per_page=10, read_ahead=1) as c:
            it = c.list_packages("container", org="acme")
            assert emu.requests() == []
            await it.__anext__()
            assert len(emu.requests()) == 1
            for _ in range(9):
                await it.__anext__()
            assert len(emu.requests()) == 1
            await it.__anext__()
            assert len(emu.requests()) == 2
            rest = [p.id async for p in it]
            assert len(rest) == 264 - 11
            with pytest.raises(StopAsyncIteration):
                await it.__anext__()
            return [int(query(r).get("page", "1")) for r in emu.requests()]

    assert run(main()) == list(range(1, 28))


def test_async_errors(emu: Emulator) -> None:
    async def main() -> None:
        async with emu.async_client(max_retries=0) as c:
            with pytest.raises(ghpkg.NotFoundError) as info:
                await c.get_package("npm", "nope", org="acme")
            assert info.value.status == 404 and info.value.request_id
            with pytest.raises(ghpkg.InvalidArgumentError):
                await c.get_package("npm", "..")
            with pytest.raises(TypeError):
                await c.get_package("npm", 5)  # type: ignore[arg-type]
            emu.inject(Fault.status(500), times=None)
            with pytest.raises(ghpkg.ServerError):
                [p async for p in c.list_packages("npm", org="acme")]

    run(main())


def test_closed_async_client(emu: Emulator) -> None:
    async def main() -> None:
        c = emu.async_client()
        await c.aclose()
        assert c.closed
        with pytest.raises(ghpkg.ClientClosedError, match="closed"):
            await c.get_package("npm", "hello-world")

    run(main())


def test_many_requests_run_concurrently_on_one_loop(emu: Emulator) -> None:
    emu.set_latency(0.2)

    async def main() -> float:
        async with emu.async_client() as c:
            start = time.monotonic()
            pkgs = await asyncio.gather(*(c.get_package("npm", "hello-world") for _ in range(20)))
            assert all(p.id == 1001 for p in pkgs)
            return time.monotonic() - start

    elapsed = run(main())
    assert elapsed < 2.0, f"20 requests of 0.2 s took {elapsed:.2f} s: they did not overlap"


def test_tasks_and_wait_for(emu: Emulator) -> None:
    async def main() -> Any:
        async with emu.async_client() as c:
            task = asyncio.create_task(c.get_package("npm", "hello-world"))
            p = await asyncio.wait_for(task, 10)
            return p.name

    assert run(main()) == "hello-world"


def test_the_loop_is_not_blocked_while_waiting(emu: Emulator) -> None:
    emu.set_latency(0.3)

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        t = asyncio.create_task(ticker())
        async with emu.async_client() as c:
            await c.get_package("npm", "hello-world")
        t.cancel()
        return ticks

    assert run(main()) >= 10


def test_tasks_sharing_one_async_listing_get_each_item_once(emu: Emulator) -> None:
    async def main() -> List[int]:
        async with emu.async_client(per_page=30) as c:
            it = c.list_packages("container", org="acme")
            seen: List[int] = []

            async def drain() -> None:
                async for p in it:
                    seen.append(p.id)
                    await asyncio.sleep(0)

            await asyncio.gather(*(drain() for _ in range(5)))
            return seen

    seen = run(main())
    assert len(seen) == 264 and len(set(seen)) == 264


def test_async_listing_error_on_a_later_page(emu: Emulator) -> None:
    async def main() -> int:
        async with emu.async_client(per_page=100, read_ahead=1, max_retries=0) as c:
            it = c.list_packages("container", org="acme")
            got = [await it.__anext__() for _ in range(100)]
            emu.inject(Fault.malformed_json(), path="/orgs/acme/packages")
            with pytest.raises(ghpkg.DecodeError):
                await it.__anext__()
            with pytest.raises(StopAsyncIteration):
                await it.__anext__()
            return len(got)

    assert run(main()) == 100


def test_both_clients_carry_the_method_docstrings() -> None:
    for name in ("list_packages", "get_package", "delete_version", "scopes", "catalog_select"):
        sync_doc = getattr(ghpkg.Client, name).__doc__
        assert sync_doc and len(sync_doc) > 20, name
        assert getattr(ghpkg.AsyncClient, name).__doc__ == sync_doc, name
    assert ghpkg.AsyncClient.base_url.__doc__ == ghpkg.Client.base_url.__doc__
