"""`run_on_own_loop`: synchronous callers share one running event loop per process (a client
that keeps its connections per loop keeps them from one call to the next)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from anyun.core.ownloop import own_loop, run_on_own_loop


async def _where() -> tuple[asyncio.AbstractEventLoop, str]:
    await asyncio.sleep(0)
    return asyncio.get_running_loop(), threading.current_thread().name


def test_calls_run_on_one_loop_that_keeps_running_in_a_thread_of_its_own() -> None:
    first_loop, first_thread = run_on_own_loop(_where())
    second_loop, second_thread = run_on_own_loop(_where())
    assert first_loop is second_loop is own_loop()
    assert first_loop.is_running() and not first_loop.is_closed()
    assert first_thread == second_thread == "anyun-own-loop"
    assert threading.current_thread().name != first_thread
    # From another thread too: the same loop.
    seen: list[asyncio.AbstractEventLoop] = []
    worker = threading.Thread(target=lambda: seen.append(run_on_own_loop(_where())[0]))
    worker.start()
    worker.join(5)
    assert seen == [first_loop]


def test_an_error_in_the_coroutine_reaches_the_caller() -> None:
    async def fails() -> None:
        raise LookupError("no such group")

    with pytest.raises(LookupError, match="no such group"):
        run_on_own_loop(fails())
    assert run_on_own_loop(_where())[0].is_running()  # the loop goes on
