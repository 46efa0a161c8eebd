"""The Celery settings come from the environment and refuse bad values at start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"DEBUG": "0", "SECRET_KEY": "settings-test", "DJANGO_SETTINGS_MODULE": "config.settings"}
PROBE = (
    "import django; django.setup(); from config import celery_app as app; "
    "print(app.conf.broker_url.split(':')[0], app.conf.worker_concurrency, app.conf.task_time_limit, "
    "app.conf.task_acks_late, app.conf.worker_prefetch_multiplier, app.conf.task_reject_on_worker_lost)"
)
STRIP = ("REDIS_URL", "DATABASE_URL", "WORKER_CONCURRENCY", "GRADING_TIME_LIMIT", "GRADING_SOFT_TIME_LIMIT")


def _probe(**env):
    clean = {k: v for k, v in os.environ.items() if k not in STRIP and not k.endswith("_FILE")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **BASE_ENV, "BROKER_DIR": "/tmp/autograder-settings-test-broker", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_nothing_set_the_broker_is_embedded():
    result = _probe()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filesystem", str(os.cpu_count() or 1), "30", "True", "1", "True"]


def test_redis_and_limits_come_from_the_environment():
    result = _probe(REDIS_URL="redis://127.0.0.1:6379/9", WORKER_CONCURRENCY="3", GRADING_TIME_LIMIT="40")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis", "3", "40", "True", "1", "True"]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WORKER_CONCURRENCY": "two"}, "WORKER_CONCURRENCY"),
        ({"WORKER_CONCURRENCY": "0"}, "WORKER_CONCURRENCY"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"GRADING_SOFT_TIME_LIMIT": "30", "GRADING_TIME_LIMIT": "30"}, "GRADING_SOFT_TIME_LIMIT"),
        ({"SWEEP_RUNNING_AFTER": "20"}, "SWEEP_RUNNING_AFTER"),
        ({"SWEEP_INTERVAL": "soon"}, "SWEEP_INTERVAL"),
        ({"REDIS_URL": "redis://x", "BROKER_VISIBILITY_TIMEOUT": "10"}, "BROKER_VISIBILITY_TIMEOUT"),
    ],
)
def test_a_bad_value_stops_the_process(env, message):
    result = _probe(**env)
    assert result.returncode != 0
    assert "ImproperlyConfiguredEnv" in result.stderr and message in result.stderr
