"""Lists packages from the in-process emulator with ghpkg and with githubkit,
and reports median times. Not part of the test suite.

    python -m venv /tmp/bench && /tmp/bench/bin/pip install ./bindings-python githubkit==0.16.1
    /tmp/bench/bin/python bindings-python/bench/bench_list.py [--rounds 15]

Both clients list acme's 264 container packages (3 pages of 100) and fetch
one package 50 times, against the same emulator URL over HTTP on 127.0.0.1;
plain httpx (JSON only, no models) is the baseline of a Python HTTP stack.
Then each lists 10,000 packages (100 pages of 100) from a second emulator,
with a raw httpx + json loop following `link` as the floor of a hand-written
client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

import ghpkg
from ghpkg.testing import Emulator

_EMULATOR: List[Emulator] = []


def _reset() -> None:
    for emu in _EMULATOR:
        emu.reset_rate_limits()


try:
    from githubkit import GitHub
except ImportError:  # pragma: no cover - optional comparison
    GitHub = None


def timed(fn: Callable[[], Any], rounds: int) -> List[float]:
    _reset()
    fn()  # warm up (connections, imports)
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def atimed(fn: Callable[[], Awaitable[Any]], rounds: int) -> List[float]:
    _reset()

    async def main() -> List[float]:
        await fn()
        out = []
        for _ in range(rounds):
            start = time.perf_counter()
            await fn()
            out.append(time.perf_counter() - start)
        return out

    return asyncio.run(main())


BIG_TOKEN = "ghp_benchPythonBigListing000000000000000"


def big_fixture(n: int) -> Dict[str, Any]:
    """One org with ``n`` container packages, the same shape as the Node benchmark's."""
    return {
        "users": [{"login": "octocat", "id": 1}],
        "orgs": [{"login": "big", "id": 7, "admins": ["octocat"]}],
        "tokens": [
            {
                "token": BIG_TOKEN,
                "user": "octocat",
                "kind": "classic",
                "scopes": ["read:packages"],
                "rate_limit": 100_000_000,
            }
        ],
        "generated": [
            {"owner": "big", "package_type": "container", "count": n, "visibility": "public"}
        ],
    }


def big_listing(results: Dict[str, List[float]], rounds: int) -> None:
    """Lists 10,000 packages (100 pages of 100) with ghpkg, a raw httpx loop and githubkit."""
    total = 10_000
    with Emulator(big_fixture(total), secondary_points_per_minute=10**9) as emu:
        _EMULATOR.append(emu)
        client = ghpkg.Client(BIG_TOKEN, base_url=emu.url, use_env=False)

        def gh_list() -> None:
            assert len(client.list_packages("container", org="big").collect()) == total

        results["ghpkg sync: list 10,000 packages"] = timed(gh_list, rounds)

        try:
            import httpx
        except ImportError:  # pragma: no cover - comes with githubkit
            return
        raw = httpx.Client(headers={"Authorization": f"Bearer {BIG_TOKEN}", "User-Agent": "bench"})

        def raw_list() -> None:
            # What a hand-written client does: follow `link` until there is no next page.
            url: Optional[str] = f"{emu.url}/orgs/big/packages?package_type=container&per_page=100"
            items: List[Any] = []
            while url:
                resp = raw.get(url)
                resp.raise_for_status()
                items.extend(json.loads(resp.content))
                url = resp.links.get("next", {}).get("url")
            assert len(items) == total

        results["httpx + json loop: list 10,000 packages"] = timed(raw_list, rounds)

        if GitHub is not None:
            kit = GitHub(BIG_TOKEN, base_url=emu.url + "/")

            def kit_list() -> None:
                pages = kit.rest.paginate(
                    kit.rest.packages.list_packages_for_organization,
                    org="big",
                    package_type="container",
                    per_page=100,
                )
                assert len(list(pages)) == total

            results["githubkit sync: list 10,000 packages"] = timed(kit_list, rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    results: Dict[str, List[float]] = {}

    # Rate limits would measure the emulator's waits, not the clients.
    with Emulator(secondary_points_per_minute=10**9) as emu:
        _EMULATOR.append(emu)
        token = emu.token
        assert token is not None
        client = ghpkg.Client(token, base_url=emu.url)

        def gh_list() -> None:
            assert len(client.list_packages("container", org="acme").collect()) == 264

        def gh_get() -> None:
            for _ in range(50):
                client.get_package("container", "only-tag", org="acme")

        results["ghpkg sync: list 264 packages"] = timed(gh_list, args.rounds)
        results["ghpkg sync: 50 x get_package"] = timed(gh_get, args.rounds)

        async def gh_alist() -> None:
            async with ghpkg.AsyncClient(token, base_url=emu.url) as ac:
                assert len([p async for p in ac.list_packages("container", org="acme")]) == 264

        results["ghpkg async: list 264 packages"] = atimed(gh_alist, args.rounds)

        try:
            import httpx
        except ImportError:  # pragma: no cover - comes with githubkit
            httpx = None
        if httpx is not None:
            raw = httpx.Client(
                base_url=emu.url,
                headers={"Authorization": f"Bearer {token}", "User-Agent": "bench"},
            )

            def raw_get() -> None:
                for _ in range(50):
                    raw.get("/orgs/acme/packages/container/only-tag").json()

            results["httpx (raw JSON, baseline): 50 x get"] = timed(raw_get, args.rounds)

        if GitHub is not None:
            kit = GitHub(token, base_url=emu.url + "/")

            def kit_list() -> None:
                pages = kit.rest.paginate(
                    kit.rest.packages.list_packages_for_organization,
                    org="acme",
                    package_type="container",
                    per_page=100,
                )
                assert len(list(pages)) == 264

            def kit_get() -> None:
                for _ in range(50):
                    # githubkit puts names into paths unencoded, so a name with a
                    # "/" (api/server) would reach another endpoint: use one without.
                    resp = kit.rest.packages.get_package_for_organization(
                        "container", "only-tag", "acme"
                    )
                    assert resp.parsed_data.name == "only-tag"

            results["githubkit sync: list 264 packages"] = timed(kit_list, args.rounds)
            results["githubkit sync: 50 x get_package"] = timed(kit_get, args.rounds)

            async def kit_alist() -> None:
                n = 0
                async for _ in kit.rest.paginate(
                    kit.rest.packages.async_list_packages_for_organization,
                    org="acme",
                    package_type="container",
                    per_page=100,
                ):
                    n += 1
                assert n == 264

            results["githubkit async: list 264 packages"] = atimed(kit_alist, args.rounds)
        else:
            print("githubkit is not installed: only ghpkg is measured")

    _EMULATOR.clear()
    big_listing(results, max(3, args.rounds // 3))

    width = max(len(k) for k in results)
    for name, times in results.items():
        print(
            f"{name:<{width}}  median {statistics.median(times) * 1000:8.2f} ms  (n={len(times)})"
        )


if __name__ == "__main__":
    main()
