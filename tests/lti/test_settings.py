"""LTI settings come from the environment and a bad value stops start-up."""

import os
import subprocess
import sys

import pytest


def _start(**env):
    code = "import django; django.setup()"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("LTI_KEYSET_TIMEOUT", "soon", "is not a number"),
    ("LTI_KEYSET_TIMEOUT", "0", "below the minimum"),
    ("LTI_KEYSET_CACHE_SECONDS", "an hour", "is not a whole number"),
    ("LTI_KEYSET_CACHE_SECONDS", "-1", "below the minimum"),
    ("LTI_KEYSET_CACHE_SECONDS", "999999", "above the maximum"),
    ("LTI_SERVICE_TIMEOUT", "soon", "is not a number"),
    ("LTI_AGS_RETRY_BASE", "0", "below the minimum"),
    ("LTI_AGS_SWEEP_INTERVAL", "0.1", "below the minimum"),
    ("LTI_AGS_SENDING_STALE_AFTER", "30", "must exceed 2 × LTI_SERVICE_TIMEOUT + 10 s"),
    ("LTI_ROSTER_TIME_LIMIT", "5", "below the minimum"),
])
def test_a_bad_value_stops_start_up(name, value, message):
    result = _start(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr and message in result.stderr


def test_good_values_start():
    result = _start(LTI_KEYSET_TIMEOUT="2.5", LTI_KEYSET_CACHE_SECONDS="600")
    assert result.returncode == 0, result.stderr
