"""Requests per token, counted in a cache every web process shares (Redis when REDIS_URL is set).

A fixed window counted with the cache's atomic increment: two cache calls a
request, exact under any number of processes. (DRF's SimpleRateThrottle
keeps a list of timestamps that it reads and writes back, so concurrent
requests overwrite each other's entries.) The window is LMS_TOKEN_RATE:
"N/s|m|h|d".
"""

import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

from lms.models import LmsToken

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/m' → (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0]]


class LmsTokenThrottle(BaseThrottle):
    cache_alias = "throttle"

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, LmsToken):
            return True  # refused before this by the permission; nothing to count
        limit, period = parse_rate(settings.LMS_TOKEN_RATE)
        now = time.time()
        window = int(now // period)
        key = f"lms-token:{token.pk}:{window}"
        cache = caches[self.cache_alias]
        # add() is a no-op when the key exists; both calls are atomic in Redis.
        cache.add(key, 0, timeout=period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between the two calls: this request opens the window
            cache.add(key, 1, timeout=period + 1)
            used = 1
        self._wait = (window + 1) * period - now
        return used <= limit

    def wait(self):
        return max(1.0, self._wait)
