"""docker-compose.yml and the Dockerfile, checked without Docker (there is no engine here).

The compose file is parsed with PyYAML and held to what the deployment needs:
every service present and health-checked, only the proxy published, the
worker scalable and given only what bubblewrap needs, the web server and the
proxy given nothing, every variable one the settings (or the proxy's
template) read, and the commands consuming the right queues.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
NGINX_TEMPLATES = ROOT / "deploy" / "nginx" / "templates"
SERVICES = ["proxy", "web", "worker", "beat", "redis", "postgres"]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def _env(service) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def _command(service) -> str:
    command = service.get("command")
    return " ".join(command) if isinstance(command, list) else (command or "")


def _names_the_app_reads() -> set[str]:
    """Every variable read through config/env.py (settings, gunicorn config), plus Django's own."""
    sources = [ROOT / "config" / "settings.py", ROOT / "scripts" / "gunicorn_conf.py"]
    names = set()
    for source in sources:
        names |= set(re.findall(r"env_\w+\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source.read_text()))
    return names | {"DJANGO_SETTINGS_MODULE"}


def test_it_has_every_service(services):
    assert set(SERVICES) <= set(services)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_health_check(services, name):
    check = services[name].get("healthcheck")
    assert check and check.get("test"), f"{name} has no health check"
    assert not check.get("disable")


def test_the_app_waits_for_healthy_dependencies(services):
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["beat"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_web_server_runs_gunicorn_with_no_extra_privilege(services):
    web = services["web"]
    assert "gunicorn" in _command(web)
    assert not web.get("privileged")
    assert not web.get("cap_add")
    assert not web.get("devices")
    for option in web.get("security_opt") or []:
        assert "unconfined" not in option, "the web server runs no student code: it keeps every profile"
    assert web.get("cap_drop") == ["ALL"]


def test_only_the_proxy_is_published(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}, "gunicorn's sync workers must not face clients: only the proxy is published"
    container_ports = {mapping.rsplit(":", 1)[1] for mapping in services["proxy"]["ports"]}
    env = _env(services["proxy"])
    assert container_ports == {env["PROXY_HTTP_LISTEN"], env["PROXY_HTTPS_LISTEN"]}


def test_the_proxy_has_no_extra_privilege(services):
    proxy = services["proxy"]
    # The image that runs nginx as a user, on ports above 1024; a fixed release line.
    assert re.fullmatch(r"nginxinc/nginx-unprivileged:\d+\.\d+(\.\d+)?-alpine", proxy["image"])
    assert not proxy.get("privileged")
    assert not proxy.get("cap_add")
    assert not proxy.get("devices")
    assert proxy.get("cap_drop") == ["ALL"]
    assert proxy.get("security_opt") == ["no-new-privileges:true"]
    assert proxy.get("read_only") is True


def test_the_proxy_runs_the_shipped_template(services):
    proxy = services["proxy"]
    assert "./deploy/nginx/templates:/etc/nginx/templates:ro" in proxy["volumes"]
    template = (NGINX_TEMPLATES / "autograder.conf.template").read_text()
    env = _env(proxy)
    # The image substitutes only PROXY_ names, so nginx's own $host, $scheme… stay as they are.
    assert env["NGINX_ENVSUBST_FILTER"] == "^PROXY_"
    assert not re.search(r"\$PROXY_", template), "write ${PROXY_NAME}, with braces"
    names = set(re.findall(r"\$\{(PROXY_[A-Z0-9_]+)\}", template))
    assert names == {name for name in env if name.startswith("PROXY_")}
    assert env["PROXY_UPSTREAM"] == f"web:{_env(services['web'])['PORT']}"
    for variable, secret in [("PROXY_TLS_CERTIFICATE", "tls_certificate"), ("PROXY_TLS_CERTIFICATE_KEY", "tls_certificate_key")]:
        assert secret in proxy["secrets"]
        assert env[variable] == f"/run/secrets/{secret}"
    # Its rendered config and temp files go to memory; the rest stays read-only.
    assert set(proxy["tmpfs"]) == {"/tmp", "/etc/nginx/conf.d"}
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_proxy_speaks_tls_1_2_and_up_only():
    template = (NGINX_TEMPLATES / "autograder.conf.template").read_text()
    assert re.findall(r"^\s*ssl_protocols\s+([^;]+);", template, re.M) == ["TLSv1.2 TLSv1.3"]


def test_the_web_server_trusts_only_the_proxy_for_the_scheme(services):
    env = _env(services["web"])
    assert env["BEHIND_TLS_PROXY"] == "1"
    assert env["SECURE_SSL_REDIRECT"] == "1"
    assert env["SECURE_HSTS_SECONDS"] == "31536000"
    assert not services["web"].get("ports")


def test_the_worker_is_scalable(services):
    worker = services["worker"]
    assert "container_name" not in worker, "a fixed name forbids --scale worker=N"
    assert not worker.get("ports"), "a fixed host port forbids --scale worker=N"


def test_the_worker_gets_exactly_what_bubblewrap_needs(services):
    worker = services["worker"]
    assert not worker.get("privileged"), "never privileged: only the seccomp/AppArmor profiles are lifted"
    assert not worker.get("cap_add")
    assert worker.get("cap_drop") == ["ALL"]
    assert set(worker["security_opt"]) == {"seccomp=unconfined", "apparmor=unconfined", "no-new-privileges:true"}
    # ... and the compose file says why, next to it.
    text = COMPOSE.read_text()
    assert "CLONE_NEWUSER" in text and "bubblewrap" in text


def test_the_commands_consume_the_right_queues(services):
    worker = _command(services["worker"])
    assert worker.startswith("celery -A config worker")
    queues = re.search(r"-Q\s+(\S+)", worker).group(1).split(",")
    assert set(queues) == {"grading", "default"}
    assert "--pool" not in worker or "--pool prefork" in worker or "--pool=prefork" in worker
    assert _command(services["beat"]).startswith("celery -A config beat")


def test_the_queues_match_the_settings(services):
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["grader.tasks.grade_submission"]["queue"] == "grading"
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert settings.CELERY_BEAT_SCHEDULE["sweep-submissions"]["options"]["queue"] == "default"


def test_every_variable_is_one_the_settings_read(services):
    known = _names_the_app_reads()
    for name in ("web", "worker", "beat", "migrate"):
        for variable in _env(services[name]):
            base = variable[: -len("_FILE")] if variable.endswith("_FILE") else variable
            assert base in known, f"{name}: {variable} is not read by config/settings.py"


def test_secrets_come_from_files_not_the_environment(compose, services):
    for name in ("web", "worker", "beat"):
        env = _env(services[name])
        assert "SECRET_KEY" not in env and "SECRET_KEY_FILE" in env
        assert "DATABASE_URL" not in env and "DATABASE_URL_FILE" in env
        assert env.get("DEBUG") == "0"
    assert {"secret_key", "database_url", "postgres_password", "tls_certificate", "tls_certificate_key"} <= set(
        compose["secrets"]
    )
    assert "POSTGRES_PASSWORD_FILE" in _env(services["postgres"])


def test_redis_keeps_nothing_on_disk(services):
    # Lost messages are re-sent by the sweeper; persistence would only hide that path.
    command = _command(services["redis"])
    assert "--appendonly no" in command


def test_the_dockerfile_runs_as_a_user_and_installs_the_sandbox_site():
    text = DOCKERFILE.read_text()
    assert re.search(r"^USER\s+(?!root)\w+", text, re.M), "the image must not run as root"
    assert ".sandbox/site" in text
    assert "requirements.txt" in text
    app_services = [s for s in yaml.safe_load(COMPOSE.read_text())["services"].values() if s.get("build")]
    assert {_command(service).split()[0] for service in app_services} <= {"gunicorn", "celery", "sh"}
