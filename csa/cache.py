"""The shared cache (Redis in production) and what its outage means to the code that uses it.

Most users of the cache can go on without it for a while (throttles, login-failure counts, the
vendors' login token); those that cannot (verification codes) refuse with a 503 instead.
"""

import contextlib
import logging
from collections.abc import Iterator

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError,)


@contextlib.contextmanager
def cache_best_effort(purpose: str) -> Iterator[None]:
    """Go on without the cache for `purpose` when it cannot be reached, and say so in the log."""
    try:
        yield
    except CACHE_ERRORS as exc:
        logger.warning("Cache unavailable, going on without it (%s): %s", purpose, exc)
