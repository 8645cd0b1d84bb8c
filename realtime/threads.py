"""The threads that run the live rooms' database work, sized to match the connection pool."""

import functools
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings


@functools.cache
def database_threads() -> ThreadPoolExecutor:
    """
    One executor per process with ASGI_THREADS threads (default: DB_POOL_MAX_SIZE).

    The event loop's default executor has min(32, cores + 4) threads, which
    matches nothing; each of these threads holds at most one pooled
    connection at a time, so the live rooms never wait for a thread while a
    connection is free, nor start more queries than the pool can lend.
    """
    return ThreadPoolExecutor(max_workers=settings.ASGI_THREADS, thread_name_prefix="trialoog-db")
