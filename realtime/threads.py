"""The threads that run the live rooms' database work, sized to match the connection pool."""

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

_sized: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def database_threads_size() -> None:
    """
    Give the running event loop a default executor of ASGI_THREADS threads (default: DB_POOL_MAX_SIZE).

    The live rooms' ORM work runs there (`database_sync_to_async(..., thread_sensitive=False)`).
    asyncio's own default, min(32, cores + 4) threads, matches nothing; each of
    these threads holds at most one pooled connection at a time, so the rooms
    never wait for a thread while a connection is free, nor start more queries
    than the pool can lend. daphne reads ASGI_THREADS the same way; under
    uvicorn this sets it. The executor lives and ends with its loop.
    """
    loop = asyncio.get_running_loop()
    if loop in _sized:
        return
    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=settings.ASGI_THREADS, thread_name_prefix="trialoog-db")
    )
    _sized.add(loop)
