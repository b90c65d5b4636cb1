"""Behaviour across the boundary: the GIL is released during I/O, one
runtime serves sync and async calls and survives fork(), Ctrl-C interrupts
a blocking call, and cancelling an asyncio task cancels its request."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import List

import pytest

import ghpkg
from ghpkg.testing import Emulator, Fault
from helpers import run

LATENCY = 0.05


def thread_names() -> List[str]:
    names = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names


def test_eight_threads_take_the_time_of_one(emu: Emulator) -> None:
    emu.set_latency(LATENCY)
    per_thread = 4
    with emu.client() as c:
        c.get_package("npm", "hello-world")  # warm up: runtime, connection pool

        def work() -> None:
            for _ in range(per_thread):
                assert c.get_package("npm", "hello-world").id == 1001

        start = time.monotonic()
        work()
        one = time.monotonic() - start

        threads = [threading.Thread(target=work) for _ in range(8)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        eight = time.monotonic() - start
    serial = 8 * per_thread * LATENCY
    assert one >= per_thread * LATENCY
    assert eight < serial / 2, f"8 threads took {eight:.2f}s; serial would be {serial:.2f}s"
    assert eight < one * 3, f"one thread {one:.2f}s, eight threads {eight:.2f}s"


def test_the_gil_is_released_while_waiting(emu: Emulator) -> None:
    emu.set_latency(0.3)
    counter = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal counter
        while not stop.is_set():
            counter += 1

    t = threading.Thread(target=spin)
    with emu.client() as c:
        t.start()
        time.sleep(0.05)
        before = counter
        c.get_package("npm", "hello-world")
        during = counter - before
        stop.set()
        t.join()
    assert during > 10_000, f"the spinning thread advanced only {during} times in 0.3 s"


def test_one_runtime_serves_sync_and_async(emu: Emulator) -> None:
    with emu.client() as c:
        c.get_package("npm", "hello-world")

    async def main() -> None:
        async with emu.async_client() as a:
            await a.get_package("npm", "hello-world")

    run(main())
    names = thread_names()
    assert "ghpkg-runtime" in names
    assert not any(n.startswith("tokio-runtime") for n in names), names


def _in_child(fn: object) -> int:
    """Runs ``fn`` in a forked child; returns its exit status (0 = passed)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn()  # type: ignore[operator]
            code = 0
        except BaseException as e:  # noqa: BLE001 - report anything to the parent
            os.write(2, f"child failed: {e!r}\n".encode())
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_fork_child_gets_a_working_runtime(emu: Emulator) -> None:
    c = emu.client(per_page=50)
    a = emu.async_client()
    # Use the runtime, a pooled connection and a half-read listing in the parent.
    assert c.get_package("npm", "hello-world").id == 1001
    run(a.get_package("npm", "hello-world"))
    it = c.list_packages("container", org="acme")
    next(it)

    def child() -> None:
        assert c.get_package("container", "api/server", org="acme").id == 2001
        assert len(c.list_packages("container", org="acme").collect()) == 264
        fresh = ghpkg.Client(emu.token, base_url=emu.url)
        assert fresh.get_package("npm", "hello-world").id == 1001

        async def main() -> int:
            p = await a.get_package("npm", "hello-world")
            return p.id

        assert asyncio.run(main()) == 1001
        assert "ghpkg-runtime" in thread_names()

    assert _in_child(child) == 0
    # The parent's runtime and listing still work after the child is gone.
    assert c.get_package("npm", "hello-world").id == 1001
    assert len([1, *it]) == 264
    assert run(a.get_package("npm", "hello-world")).id == 1001
    c.close()
    a.close()


def test_fork_before_first_use(emu: Emulator) -> None:
    def child() -> None:
        with emu.client() as c:
            assert c.get_package("npm", "hello-world").id == 1001

    assert _in_child(child) == 0


def _interrupt_after(seconds: float) -> threading.Timer:
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    return t


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")
def test_ctrl_c_interrupts_a_long_listing(emu: Emulator) -> None:
    emu.set_latency(0.2)
    with emu.client(per_page=1, read_ahead=1) as c:
        got = 0
        timer = _interrupt_after(0.5)
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            for _ in c.list_packages("container", org="acme"):
                got += 1
        elapsed = time.monotonic() - start
        timer.join()
        assert elapsed < 1.5, f"the interrupt took {elapsed:.2f}s to land"
        assert 0 < got < 264
        emu.set_latency(0)
        assert c.get_package("npm", "hello-world").id == 1001, "the client still works"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")
def test_ctrl_c_interrupts_a_slow_request(emu: Emulator) -> None:
    emu.inject(Fault.latency(20.0))
    with emu.client() as c:
        timer = _interrupt_after(0.3)
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            c.get_package("npm", "hello-world")
        timer.join()
        assert time.monotonic() - start < 1.5


def test_cancelling_a_task_cancels_its_request(emu: Emulator) -> None:
    # Every answer is a 502 and the client retries with backoff: while its
    # request runs, the log keeps growing. A cancelled request stops retrying.
    emu.inject(Fault.status(502), path="/packages/npm/hello-world", times=None)

    async def attempt(cancel_after: float, watch: float) -> int:
        async with emu.async_client(max_retries=6, retry_backoff=0.2) as c:
            emu.clear_requests()
            task = asyncio.ensure_future(c.get_package("npm", "hello-world"))
            await asyncio.sleep(cancel_after)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(watch)
            return len(emu.requests())

    async def uncancelled(watch: float) -> int:
        async with emu.async_client(max_retries=6, retry_backoff=0.2) as c:
            emu.clear_requests()
            task = asyncio.ensure_future(c.get_package("npm", "hello-world"))
            await asyncio.sleep(watch)
            seen = len(emu.requests())
            task.cancel()
            return seen

    assert run(uncancelled(1.2)) >= 3, "the retries this test relies on happen"
    assert run(attempt(0.05, 1.2)) == 1, "no retry after the task was cancelled"


def test_wait_for_timeout_cancels_the_request(emu: Emulator) -> None:
    emu.inject(Fault.status(502), path="/packages/npm/hello-world", times=None)

    async def main() -> int:
        async with emu.async_client(max_retries=6, retry_backoff=0.2) as c:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(c.get_package("npm", "hello-world"), 0.05)
            await asyncio.sleep(1.0)
            return len(emu.requests())

    assert run(main()) == 1


def test_cancelling_an_async_listing(emu: Emulator) -> None:
    emu.set_latency(0.2)

    async def main() -> int:
        async with emu.async_client(per_page=1, read_ahead=1) as c:

            async def consume() -> None:
                async for _ in c.list_packages("container", org="acme"):
                    pass

            task = asyncio.ensure_future(consume())
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            seen = len(emu.requests())
            await asyncio.sleep(0.6)
            return len(emu.requests()) - seen

    assert run(main()) <= 1, "no new pages are fetched after the cancel"


EXIT_SCRIPT = """
import asyncio, sys
import ghpkg

async def main():
    async with ghpkg.AsyncClient(sys.argv[1], base_url=sys.argv[2]) as c:
        done = await asyncio.gather(*(c.get_package("npm", "hello-world") for _ in range(30)))
        assert len(done) == 30
        # Leave requests in flight: asyncio.run cancels them on the way out.
        for _ in range(10):
            asyncio.ensure_future(c.get_package("npm", "hello-world"))
        await asyncio.sleep(0)

asyncio.run(main())
with ghpkg.Client(sys.argv[1], base_url=sys.argv[2]) as s:
    s.get_package("npm", "hello-world")
print("clean")
"""


def test_the_interpreter_exits_cleanly_after_async_work(emu: Emulator) -> None:
    import subprocess
    import sys

    assert emu.token is not None
    for _ in range(8):
        emu.reset_rate_limits()
        proc = subprocess.run(
            [sys.executable, "-c", EXIT_SCRIPT, emu.token, emu.url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (proc.returncode, proc.stdout.strip()) == (0, "clean"), proc.stderr
