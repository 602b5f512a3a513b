"""A Redis cache that fails open: while Redis is unreachable every call answers "nothing cached".

The cache holds allauth's login rate limits and its used-TOTP-code marks (sessions and axes' lockouts are
database rows), so losing it must not take password logins down: without it the rate limits pause and axes'
database lockout still guards every account (docs/specs/security.md). The outage is logged once as a warning, and for
`retry_seconds` afterwards Redis is not asked again, so a Redis that hangs costs at most one connect
timeout per process every `retry_seconds`, not one on every cache call.

One kind of key must never fail open: allauth's "this TOTP code was used" mark. Answering "stored" for it while
Redis is down would let a code be replayed, so for those keys the cache raises `CacheUnavailable` instead, and
the two-factor forms turn that into a clear "try again" (accounts/mfa.py): MFA logins fail closed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# allauth.mfa.totp.internal.auth.TOTP._get_used_cache_key: the replay mark of a TOTP code.
STRICT_KEY_PREFIXES = ("allauth.mfa.totp.used",)


class CacheUnavailable(Exception):
    """The cache could not answer for a key that must not fail open."""


def cache_reachable() -> bool:
    """Whether the default cache answers now (always True for a cache that is not Redis, e.g. in development)."""
    from django.core.cache import cache

    reachable = getattr(cache, "reachable", None)
    return True if reachable is None else bool(reachable())


class FailOpenRedisCache(RedisCache):
    retry_seconds = 10.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0  # monotonic time before which Redis is taken as down without asking

    def reachable(self) -> bool:
        """Ask Redis now (unless it was found down less than `retry_seconds` ago)."""
        client = self._cache  # type: ignore[attr-defined]  # django's RedisCacheClient, untyped in the stubs
        return self._call(lambda: bool(client.get_client(None, write=True).ping()), False)

    def _call(self, operation: Callable[[], T], fallback: T, key: Any = None) -> T:
        strict = isinstance(key, str) and key.startswith(STRICT_KEY_PREFIXES)
        if time.monotonic() < self._down_until:
            if strict:
                raise CacheUnavailable(key)
            return fallback
        try:
            result = operation()
        except (RedisError, OSError) as exc:
            if self._down_until == 0.0:
                logger.warning("Cache (Redis) unreachable, failing open: login rate limits paused (%s)", exc)
            self._down_until = time.monotonic() + self.retry_seconds
            if strict:
                raise CacheUnavailable(key) from exc
            return fallback
        if self._down_until:
            logger.info("Cache (Redis) reachable again: login rate limits resume")
            self._down_until = 0.0
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call(lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._call(lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), list(data))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        # Reports "stored": allauth takes its rate-limit lock with add(), and a lock that can never be taken
        # would refuse every login; with the cache down no other process can hold that lock anyway.
        return self._call(lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), True, key)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call(lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        result = self._call(lambda: super(FailOpenRedisCache, self).incr(key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key {key!r} not found (cache unreachable)")  # what incr() says of a missing key
        return result  # type: ignore[return-value]

    def clear(self) -> None:
        self._call(lambda: super(FailOpenRedisCache, self).clear(), None)
