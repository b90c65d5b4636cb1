"""Count untagged versions of an organization's images, many at a time.

Run with GITHUB_TOKEN set; GITHUB_API_URL and GHPKG_ORG as in sync_example.py.
"""

import asyncio
import os
from typing import Tuple

import ghpkg


async def main() -> None:
    org = os.environ.get("GHPKG_ORG", "acme")
    async with ghpkg.AsyncClient(max_retries=5) as client:
        names = [p.name async for p in client.list_packages("container", org=org)]
        limit = asyncio.Semaphore(8)  # be kind to the API: 8 listings at a time

        async def untagged(name: str) -> Tuple[str, int]:
            async with limit:
                versions = await client.list_versions("container", name, org=org).collect()
                return name, sum(1 for v in versions if v.is_untagged)

        counts = await asyncio.gather(*(untagged(n) for n in names))
        total = sum(n for _, n in counts)
        print(f"{len(names)} images, {total} untagged versions")
        for name, n in sorted(counts, key=lambda c: -c[1])[:3]:
            print(f"  {name}: {n}")

        try:
            await client.delete_version("npm", "single-version", 20091, org=org)
        except ghpkg.RejectedError as e:  # GitHub refuses to delete a last version
            print(f"GitHub refused: {e.message}")


if __name__ == "__main__":
    asyncio.run(main())
