"""Fixtures for the sandbox tests. They need neither Django nor a database: with
or without pytest-django active, nothing here touches the ORM."""

import pytest

from grader.sandbox import SandboxConfig

from .helpers import Sandbox, site_dir


@pytest.fixture(scope="session")
def sandbox_config() -> SandboxConfig:
    site = site_dir()
    if not (site / "numpy").is_dir():
        pytest.fail(
            f"the sandbox's numpy is missing at {site}: run `make install` "
            "(.venv/bin/pip install --target .sandbox/site numpy==<pin>)",
            pytrace=False,
        )
    return SandboxConfig(site_dir=str(site), mode="bwrap")


@pytest.fixture(scope="session")
def sandbox(sandbox_config) -> Sandbox:
    box = Sandbox(sandbox_config)
    box.pool.warm_up()
    return box
