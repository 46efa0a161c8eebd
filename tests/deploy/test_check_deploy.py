"""Production settings pass `manage.py check --deploy`; /healthz answers without redirect."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "grader.example.edu",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def manage(*args, **env):
    # What the test run set is dropped where the command sets it (a name or its _FILE twin).
    given = {name.removesuffix("_FILE") for name in env}
    base = {
        name: value for name, value in os.environ.items()
        if name not in ("DEBUG", "SECRET_KEY") and name.removesuffix("_FILE") not in given
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def _compose_web_environment(secret_dir: Path) -> dict[str, str]:
    """The web service's environment as compose gives it: defaults of ${VAR:-default}, secrets as files."""
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    env = {name: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value)) for name, value in web["environment"].items()}
    files = {
        "SECRET_KEY_FILE": secrets.token_urlsafe(50),
        "DATABASE_URL_FILE": "postgres://autograder:not-used@postgres:5432/autograder",
    }
    for name, content in files.items():
        assert env[name].startswith("/run/secrets/")
        path = secret_dir / name.lower()
        path.write_text(content + "\n")
        env[name] = str(path)
    return env


def test_the_compose_web_service_passes_check_deploy_without_a_warning(tmp_path):
    """The production shape as shipped: behind the proxy, with the settings compose gives gunicorn."""
    env = _compose_web_environment(tmp_path)
    assert env["DEBUG"] == "0" and env["BEHIND_TLS_PROXY"] == "1"
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unreadable_secret_file_stops_start_up(tmp_path):
    result = manage("check", SECRET_KEY_FILE=str(tmp_path / "absent"))
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_pages_carry_a_content_security_policy(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
