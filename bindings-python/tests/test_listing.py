"""Listings are lazy: pages are fetched as items are consumed (the emulator's
request log shows it), with the core's read-ahead, in order."""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterator, List

import pytest

import ghpkg
from ghpkg.testing import Emulator, Fault
from helpers import query, run

ACME_CONTAINERS = 264


def pages(emu: Emulator) -> List[int]:
    return [int(query(r).get("page", "1")) for r in emu.requests()]


def test_nothing_is_sent_until_the_first_item(emu: Emulator) -> None:
    with emu.client(per_page=10, read_ahead=1) as c:
        it = c.list_packages("container", org="acme")
        vit = c.list_versions("container", "api/server", org="acme")
        dit = c.docker_conflicts(org="acme")
        assert emu.requests() == []
        next(it)
        assert pages(emu) == [1]
        assert emu.requests()[0].path == "/orgs/acme/packages"
        del vit, dit
        assert len(emu.requests()) == 1


def test_pages_are_fetched_on_demand(emu: Emulator) -> None:
    with emu.client(per_page=10, read_ahead=1) as c:
        it = c.list_packages("container", org="acme")
        for _ in range(10):
            next(it)
        assert pages(emu) == [1], "the first page holds ten items"
        next(it)
        assert pages(emu) == [1, 2]
        for _ in range(9):
            next(it)
        assert pages(emu) == [1, 2]
        rest = list(it)
        assert len(rest) == ACME_CONTAINERS - 20
        assert pages(emu) == list(range(1, 28))


def test_read_ahead_is_bounded(emu: Emulator) -> None:
    with emu.client(per_page=10, read_ahead=4) as c:
        it = c.list_packages("container", org="acme")
        next(it)
        assert pages(emu) == [1]
        for _ in range(10):
            next(it)  # the eleventh item needs page 2: up to 4 pages start
        fetched = pages(emu)
        assert fetched[0] == 1 and 2 in fetched
        assert len(fetched) <= 1 + 4
        names = [p.name for p in it]
        assert len(names) == ACME_CONTAINERS - 11
        assert sorted(pages(emu)) == list(range(1, 28))


def test_items_come_out_in_order_with_read_ahead(emu: Emulator) -> None:
    with emu.client(per_page=7, read_ahead=8) as fast, emu.client(per_page=100) as plain:
        a = [p.id for p in fast.list_packages("container", org="acme")]
        b = [p.id for p in plain.list_packages("container", org="acme")]
    assert a == b and len(a) == ACME_CONTAINERS


def test_pages_without_link_headers(emu: Emulator) -> None:
    emu.set_link_headers(False)
    with emu.client(per_page=50) as c:
        names = [p.name for p in c.list_packages("container", org="acme")]
    assert len(names) == ACME_CONTAINERS
    assert pages(emu) == [1, 2, 3, 4, 5, 6]


def test_collect_and_list_agree(client: ghpkg.Client) -> None:
    a = client.list_versions("container", "api/server", org="acme").collect()
    b = list(client.list_versions("container", "api/server", org="acme"))
    assert [v.id for v in a] == [v.id for v in b]
    it = client.list_packages("npm", org="acme")
    first = next(it)
    assert [first.name] + [p.name for p in it.collect()] == ["ui-kit", "single-version"]
    assert it.collect() == [] and list(it) == []


def test_an_error_mid_listing_is_raised_then_the_listing_ends(emu: Emulator) -> None:
    with emu.client(per_page=100, max_retries=0) as c:
        emu.inject(Fault.status(500), path="/orgs/acme/packages", times=None)
        it = c.list_packages("container", org="acme")
        with pytest.raises(ghpkg.ServerError):
            next(it)
        with pytest.raises(StopIteration):
            next(it)


def test_a_failure_on_a_later_page(emu: Emulator) -> None:
    with emu.client(per_page=100, max_retries=0, read_ahead=1) as c:
        it = c.list_packages("container", org="acme")
        got = [next(it) for _ in range(100)]
        emu.inject(Fault.malformed_json(), path="/orgs/acme/packages")
        with pytest.raises(ghpkg.DecodeError):
            next(it)
        assert len(got) == 100


def test_a_looping_link_is_an_error_not_a_hang(emu: Emulator) -> None:
    emu.inject(Fault.link_loop(), path="/orgs/acme/packages")
    with emu.client(per_page=10, read_ahead=1) as c:
        with pytest.raises(ghpkg.DecodeError, match="loop"):
            list(c.list_packages("container", org="acme"))


def test_one_iterator_shared_by_threads_yields_each_item_once(emu: Emulator) -> None:
    with emu.client(per_page=20) as c:
        it = c.list_packages("container", org="acme")
        seen: List[int] = []
        lock = threading.Lock()

        def drain() -> None:
            for p in it:
                with lock:
                    seen.append(p.id)

        threads = [threading.Thread(target=drain) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert len(seen) == ACME_CONTAINERS and len(set(seen)) == ACME_CONTAINERS


def test_ten_thousand_item_limit_constant() -> None:
    assert ghpkg.MAX_PAGED_ITEMS == 10_000


BIG_TOKEN = "ghp_" + "b" * 36


def big_fixture(n: int) -> Dict[str, Any]:
    """Org ``big`` with ``n`` container packages, and a token that can list them all."""
    return {
        "users": [{"login": "octocat", "id": 1}],
        "orgs": [{"login": "big", "id": 7, "admins": ["octocat"]}],
        "tokens": [
            {
                "token": BIG_TOKEN,
                "user": "octocat",
                "kind": "classic",
                "scopes": ["read:packages"],
                "rate_limit": 1_000_000,
            }
        ],
        "generated": [{"owner": "big", "package_type": "container", "count": n}],
    }


@pytest.fixture(scope="module")
def big() -> Iterator[Emulator]:
    with Emulator(big_fixture(10_050), secondary_points_per_minute=10**9) as e:
        yield e


def test_a_listing_cut_short_by_the_paging_limit_says_so(big: Emulator) -> None:
    with big.client() as c:
        it = c.list_packages("container", org="big")
        assert it.reached_paging_limit is False, "nothing walked yet"
        names = [p.name for p in it]
        assert len(names) == ghpkg.MAX_PAGED_ITEMS == 10_000
        assert len(set(names)) == 10_000
        assert it.reached_paging_limit is True
        assert next(it, None) is None and it.reached_paging_limit is True
        collected = c.list_packages("container", org="big", visibility="private")
        assert len(collected.collect()) == 10_000
        assert collected.reached_paging_limit is True


def test_an_async_listing_cut_short_by_the_paging_limit_says_so(big: Emulator) -> None:
    async def main() -> None:
        async with big.async_client() as c:
            it = c.list_packages("container", org="big")
            n = 0
            async for _ in it:
                n += 1
            assert n == 10_000
            assert it.reached_paging_limit is True
            collected = c.list_packages("container", org="big")
            assert len(await collected.collect()) == 10_000
            assert collected.reached_paging_limit is True

    run(main())


def test_a_complete_listing_does_not_claim_the_paging_limit(emu: Emulator) -> None:
    with emu.client() as c:
        it = c.list_packages("container", org="acme")
        assert len(list(it)) == ACME_CONTAINERS
        assert it.reached_paging_limit is False
        versions = c.list_versions("container", "api/server", org="acme")
        assert versions.collect() and versions.reached_paging_limit is False

    async def main() -> None:
        async with emu.async_client() as c:
            it = c.list_packages("container", org="acme")
            assert len([p async for p in it]) == ACME_CONTAINERS
            assert it.reached_paging_limit is False
            versions = c.list_versions("container", "api/server", org="acme")
            assert await versions.collect() and versions.reached_paging_limit is False

    run(main())


def test_iterator_reprs(client: ghpkg.Client) -> None:
    assert repr(client.list_packages("npm")) == "<ghpkg.PackageListing>"
    assert repr(client.list_versions("npm", "x")) == "<ghpkg.VersionListing>"
    assert iter(client.docker_conflicts()) is not None
