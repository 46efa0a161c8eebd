"""LMS_TOKEN_RATE: a bad value stops the process at start-up."""

import os
import subprocess
import sys

import pytest

from config.settings import BASE_DIR


def _start(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SECRET_KEY": "x", "DEBUG": "0", **env}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


@pytest.mark.parametrize("rate", ["600", "ten/m", "0/m", "5/week", "-1/s"])
def test_a_bad_rate_is_refused(rate):
    result = _start(LMS_TOKEN_RATE=rate)
    assert result.returncode != 0 and "LMS_TOKEN_RATE" in result.stderr


def test_a_good_rate_starts():
    assert _start(LMS_TOKEN_RATE="30/s").returncode == 0
