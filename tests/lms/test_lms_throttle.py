"""Requests per LMS token are limited, counted in Redis, which every web process shares."""

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from lms.models import LmsToken

from lms_helpers import assert_error, course_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    if not settings.REDIS_URL:
        pytest.fail("the throttle test needs REDIS_URL (make test sets it): counters must live in Redis")
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@override_settings(LMS_TOKEN_RATE="3/m")
def test_each_token_is_throttled_on_its_own(course, issue, bearer):
    busy, quiet = bearer(issue(course)), bearer(issue(course))
    url = course_url(course.slug, "assignments/")
    for _ in range(3):
        assert busy.get(url).status_code == 200
    refused = busy.get(url)
    error = assert_error(refused, 429, "throttled")
    assert 1 <= int(refused["Retry-After"]) <= 60 and error["retry_after"] == int(refused["Retry-After"])
    assert quiet.get(url).status_code == 200


@override_settings(LMS_TOKEN_RATE="2/m")
def test_the_count_is_in_redis(course, issue, bearer):
    client = bearer(issue(course))
    client.get(course_url(course.slug, "roster/"))
    token_id = LmsToken.objects.get().pk
    keys = [key.decode() for key in redis.Redis.from_url(settings.REDIS_URL).keys(f"*lms-token:{token_id}:*")]
    assert len(keys) == 1
    # Another process counting for the same token (here: a second client of the same Redis) sees the same count.
    other_process_cache = caches.create_connection("throttle")
    assert other_process_cache.get(keys[0].split(":", 2)[-1]) == 1
    client.get(course_url(course.slug, "roster/"))
    assert_error(client.get(course_url(course.slug, "roster/")), 429, "throttled")
