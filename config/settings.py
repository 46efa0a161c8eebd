"""Settings come from the environment (see README "Configuration").

With nothing set, the service runs on embedded defaults: a SQLite file and a
broker that needs no server. DEBUG is off unless asked for, and then a
SECRET_KEY must be given.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

# `make install` writes a random key for this checkout here, so commands such as
# `manage.py grade` work on a fresh clone with nothing configured. A deployment
# sets SECRET_KEY or SECRET_KEY_FILE (the file is not in the image).
LOCAL_SECRET_KEY_FILE = BASE_DIR / "var" / "secret_key"
_DEV_ONLY_SECRET = "dev-only-insecure-key-never-used-when-debug-is-off"
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and LOCAL_SECRET_KEY_FILE.is_file():
    SECRET_KEY = LOCAL_SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_ONLY_SECRET
if not SECRET_KEY:
    raise ImproperlyConfiguredEnv("SECRET_KEY must be set when DEBUG is off (or run `make install`, which makes a local one)")

# Production puts nginx in front (deploy/nginx/, docker-compose.yml): it
# terminates TLS, redirects http to https and sets X-Forwarded-Proto itself,
# overwriting whatever a client sent. BEHIND_TLS_PROXY trusts that header, so
# set it only where nothing but that proxy can reach the app server.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The host is the Host header (checked against ALLOWED_HOSTS), never a forwarded one.
USE_X_FORWARDED_HOST = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
# A year, as browsers' HSTS preload rules ask; sent on https responses only.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
# Site-wide decisions for whoever owns the domain, so off unless said.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from this site (the admin's are files, ours are in
# static CSS: no style attribute in any template); nothing may frame us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "accounts",
    "courses",
    "grader",
    "grades",
    "quizzes",
    "lti",
    "lms",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "staff",
    "review",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "courses.language.LanguageQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a lockout flagged during the view (the admin login) into lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`: web and worker write the same file. Take the write lock at the
    # start of a transaction and wait for it, instead of failing "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# axes first: a locked-out attempt is refused before ModelBackend hashes the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Password guessing (accounts.lockout) --------------------------------------
# Failures within LOGIN_LOCKOUT_MINUTES, counted in the database (every web
# process sees them): an account locks at LOGIN_FAILURE_LIMIT, an address at
# LOGIN_ADDRESS_FAILURE_LIMIT (higher: a classroom shares one NAT address).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# How many proxies in front append to X-Forwarded-For (nginx: 1). 0: the
# client is REMOTE_ADDR, and X-Forwarded-For, which anyone can send, is ignored.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0, maximum=5)
AXES_HANDLER = "accounts.lockout.PerAccountAndAddressHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# A refused attempt is not recorded: recording it would cost a write per guess
# and grow the attempt row, for nothing (the lock is already on).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful logins are not logged by axes: it would create a session per API login.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Logging ---------------------------------------------------------------------
# Everything to stderr (the process manager or container keeps it). Django's
# default sends a server error's traceback only to ADMINS by mail when DEBUG
# is off; here django.request logs it, traceback included, to stderr.
LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (console only with DEBUG, mail to ADMINS) are
        # replaced by the root's, so each record is written once.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Its INFO is a line per login; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# --- Grading -----------------------------------------------------------------
# "bwrap": every submission runs in a bubblewrap sandbox (the only mode for
# production). "unsafe": a plain subprocess for machines without user
# namespaces (macOS, locked-down kernels); refused unless DEBUG is on.
SANDBOX_MODE = env_choice("SANDBOX_MODE", ("bwrap", "unsafe"), "bwrap")
if SANDBOX_MODE == "unsafe" and not DEBUG:
    raise ImproperlyConfiguredEnv("SANDBOX_MODE=unsafe runs student code unconfined and is refused when DEBUG is off")
# Where `make install` puts the sandbox's own interpreter packages (numpy only).
SANDBOX_SITE_DIR = Path(env_str("SANDBOX_SITE_DIR", str(BASE_DIR / ".sandbox" / "site")))
SUBMISSION_MAX_BYTES = 64 * 1024

# --- Submissions (REST API, limits) --------------------------------------------
# Per student, across exercises: "N/period" with period s, m, h or d.
# Empty means no limit. Checked here so a typo stops start-up (the service parses it the same way).
SUBMISSION_RATE_LIMIT = env_str("SUBMISSION_RATE_LIMIT", "10/m")
_rate_count, _, _rate_period = SUBMISSION_RATE_LIMIT.partition("/")
if SUBMISSION_RATE_LIMIT.strip() and not (
    _rate_count.strip().isascii()
    and _rate_count.strip().isdecimal()
    and _rate_period.strip() in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}
):
    raise ImproperlyConfiguredEnv(f"SUBMISSION_RATE_LIMIT={SUBMISSION_RATE_LIMIT!r} is not like '10/m' (N per s, m, h or d)")
# Prechecks (the visible tests only, from the exercise page), per student: their
# own limit, since they cost no attempt. Same format; empty for none.
PRECHECK_RATE_LIMIT = env_str("PRECHECK_RATE_LIMIT", "30/m")
_count, _, _period = PRECHECK_RATE_LIMIT.partition("/")
if PRECHECK_RATE_LIMIT.strip() and not (
    _count.strip().isascii()
    and _count.strip().isdecimal()
    and _period.strip() in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}
):
    raise ImproperlyConfiguredEnv(f"PRECHECK_RATE_LIMIT={PRECHECK_RATE_LIMIT!r} is not like '30/m' (N per s, m, h or d)")
# Per exercise, when the exercise sets none; 0 means unlimited.
SUBMISSION_DEFAULT_ATTEMPT_LIMIT = env_int("SUBMISSION_DEFAULT_ATTEMPT_LIMIT", 0, minimum=0)

# --- API tokens (accounts.tokens) -------------------------------------------------
# Each login issues a token valid for API_TOKEN_TTL_HOURS; a user keeps at most
# API_TOKENS_PER_USER (the oldest go first).
API_TOKEN_TTL = timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 24 * 7, minimum=1, maximum=24 * 366))
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 5, minimum=1, maximum=100)
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The browsable HTML API is a development aid: with DEBUG off, JSON only.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Every API error has one shape: {"error": {"code", "message", "message_zh", ...}}.
    "EXCEPTION_HANDLER": "grader.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# --- LMS access (lms/) -----------------------------------------------------------
# Requests per LMS token: "N/s|m|h|d". Counted in the "throttle" cache below.
LMS_TOKEN_RATE = env_str("LMS_TOKEN_RATE", "600/m")
_lms_count, _, _lms_period = LMS_TOKEN_RATE.partition("/")
if not (_lms_count.strip().isascii() and _lms_count.strip().isdecimal() and int(_lms_count) > 0
        and _lms_period.strip() in {"s", "m", "h", "d"}):  # fmt: skip
    raise ImproperlyConfiguredEnv(f"LMS_TOKEN_RATE={LMS_TOKEN_RATE!r} is not like '600/m' (N per s, m, h or d)")

SPECTACULAR_SETTINGS = {
    "TITLE": "LLM Foundations autograder API",
    "DESCRIPTION": (
        "Students: `Authorization: Token …` (POST /api/v1/auth/token/). "
        "An LMS: `Authorization: Bearer lms_…`, a token bound to one course with scopes "
        "(`manage.py issue_lms_token`). Every error is `{\"error\": {\"code\", \"message\", \"message_zh\"}}`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page loads Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# --- Celery ---------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: no server, so
# `make run` works with nothing but Python. Production sets REDIS_URL.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = Path(env_str("BROKER_DIR", str(BASE_DIR / "var" / "broker")))
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    raise ImproperlyConfiguredEnv(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or redis+socket://")

# Grading time per submission. The sandbox enforces each exercise's own CPU and
# wall limits; these only catch a hung harness. The hard limit kills the child.
GRADING_SOFT_TIME_LIMIT = env_int("GRADING_SOFT_TIME_LIMIT", 20, minimum=1)
GRADING_TIME_LIMIT = env_int("GRADING_TIME_LIMIT", 30, minimum=2)
if GRADING_SOFT_TIME_LIMIT >= GRADING_TIME_LIMIT:
    raise ImproperlyConfiguredEnv("GRADING_SOFT_TIME_LIMIT must be below GRADING_TIME_LIMIT")
# A failure that is not the student's (the sandbox cannot start, the database
# went away, a bug in the checks) is retried this many times with exponential
# backoff, then the submission is stored as internal_error for staff to regrade.
GRADING_MAX_RETRIES = env_int("GRADING_MAX_RETRIES", 3, minimum=0, maximum=10)
# Claims in all (retries, re-dispatches after a dead worker): past this a
# submission is stored as internal_error rather than tried for ever.
GRADING_MAX_ATTEMPTS = env_int("GRADING_MAX_ATTEMPTS", 5, minimum=1, maximum=100)

# The sweepers (celery beat: submissions' runs, and mutation reports' mutants, which
# wait like regrades; see grader/sweeping.py) get back what a lost message (Redis
# restarted without persistence) or a dead worker left behind, within a minute by default:
# queued for SWEEP_QUEUED_AFTER s → sent again; running for SWEEP_RUNNING_AFTER s
# (past the hard limit, so the worker that had it is surely gone) → queued again.
SWEEP_INTERVAL = env_float("SWEEP_INTERVAL", 15.0, minimum=0.5)
SWEEP_QUEUED_AFTER = env_float("SWEEP_QUEUED_AFTER", 10.0, minimum=0.5)
SWEEP_RUNNING_AFTER = env_float("SWEEP_RUNNING_AFTER", GRADING_TIME_LIMIT + 5.0, minimum=1.0)
SWEEP_REGRADE_QUEUED_AFTER = env_float("SWEEP_REGRADE_QUEUED_AFTER", 900.0, minimum=0.5)
SWEEP_BATCH = env_int("SWEEP_BATCH", 500, minimum=1)
if SWEEP_RUNNING_AFTER <= GRADING_TIME_LIMIT:
    raise ImproperlyConfiguredEnv(
        "SWEEP_RUNNING_AFTER must exceed GRADING_TIME_LIMIT: a live worker may still be grading until then"
    )

# Counters every web process must share (lms.throttles): Redis when there is one.
# The default cache stays per process (LocMem).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # With acks_late, Redis gives an unacked message back only after this;
        # it must exceed the longest task (or it is redelivered mid-grade). The
        # sweeper, not this, is what recovers a dead worker's work quickly.
        "visibility_timeout": env_int("BROKER_VISIBILITY_TIMEOUT", 3600, minimum=GRADING_TIME_LIMIT * 2),
        # A worker must notice a restarted Redis instead of waiting on a dead socket.
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 10,
        "retry_on_timeout": True,
        # Message priorities (0 first): a regrade of a whole class waits behind
        # every live submission on the same "grading" queue (grader.tasks).
        "priority_steps": list(range(10)),
    }
else:
    # kombu's filesystem transport: a directory is the broker. One machine only.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker outlives a broker restart
# On a lost broker connection, a running grade finishes and is stored (the
# database, not the broker, holds it); its message cannot be acked and may come
# back, which the claim makes harmless. Cancelling it would leave the row
# running until the sweeper's threshold.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 5, "interval_start": 0, "interval_step": 0.2, "interval_max": 1}
# Results live in PostgreSQL (Submission, TestResult), not in a result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "grader.tasks.grade_submission": {"queue": "grading"},
    "grader.tasks.check_reference": {"queue": "grading"},
    "grader.tasks.regrade_fan_out": {"queue": "default"},
    # A mutant is graded like a submission (review.tasks: at the regrade priority); preparing and
    # similarity run no student code.
    "review.tasks.mutant_grade": {"queue": "grading"},
    "review.tasks.mutation_report_prepare": {"queue": "default"},
    "review.tasks.sweep_mutants": {"queue": "default"},
    "review.tasks.similarity_report_run": {"queue": "default"},
    "web.tasks.precheck_run": {"queue": "grading"},
}
# A message is acked after the task ran, and given back if the worker died:
# a claim (conditional UPDATE) makes the second delivery harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = GRADING_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = GRADING_TIME_LIMIT
# prefork only: each child keeps its own warm sandbox, and preexec_fn is not thread-safe.
CELERY_WORKER_POOL = "prefork"
CELERY_WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", os.cpu_count() or 1, minimum=1, maximum=256)
# Memory stays flat: a child is replaced past this RSS (each new child pays the
# sandbox warm-up, ~0.2 s, so not after every few tasks). 0 disables either.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("WORKER_MAX_MEMORY_PER_CHILD_MB", 400, minimum=0) * 1024 or None
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("WORKER_MAX_TASKS_PER_CHILD", 0, minimum=0) or None
CELERY_WORKER_SEND_TASK_EVENTS = False
# Celery's Django fixup closes the database connection around every task,
# whatever CONN_MAX_AGE says: a new PostgreSQL backend per grade (~10 ms of CPU
# on each side). This turns that off; config/celery.py applies Django's own
# rule around each task instead (close a connection that errored or is older
# than CONN_MAX_AGE), as Django does around each request.
CELERY_DB_REUSE_MAX = 2**62
# A new child warms its sandbox (numpy import, ~0.2 s; more on a loaded machine) before it is ready.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 30.0
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Written after each sweep it sends, so the file's age tells beat is alive (compose health check).
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BEAT_SCHEDULE_FILENAME = env_str("BEAT_SCHEDULE_PATH", str(BASE_DIR / "var" / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    "sweep-submissions": {
        "task": "grader.tasks.sweep_submissions",
        "schedule": SWEEP_INTERVAL,
        # A sweep that could not run in time is superseded by the next one.
        "options": {"queue": "default", "expires": SWEEP_INTERVAL},
    },
    # The same for the mutants of mutation reports (review.services.mutation_sweep), on the same thresholds.
    "sweep-mutants": {
        "task": "review.tasks.sweep_mutants",
        "schedule": SWEEP_INTERVAL,
        "options": {"queue": "default", "expires": SWEEP_INTERVAL},
    },
}

# LTI 1.3 (lti/): fetching a platform's keyset. Keysets are cached so a launch
# does not wait on the LMS; a platform rotating its key publishes the new one
# beside the old, so a cached set stays valid for a while.
LTI_KEYSET_TIMEOUT = env_float("LTI_KEYSET_TIMEOUT", 5.0, minimum=0.1)
LTI_KEYSET_CACHE_SECONDS = env_int("LTI_KEYSET_CACHE_SECONDS", 3600, minimum=0, maximum=86400)
# Calls to the LMS's services (OAuth2 token, AGS scores, NRPS roster): each waits at most this long.
LTI_SERVICE_TIMEOUT = env_float("LTI_SERVICE_TIMEOUT", 10.0, minimum=0.1)
# A score the LMS could not take is tried again after LTI_AGS_RETRY_BASE * 2^n s
# (n = tries so far), never more than LTI_AGS_RETRY_MAX apart, and never given up.
LTI_AGS_RETRY_BASE = env_float("LTI_AGS_RETRY_BASE", 2.0, minimum=0.01)
LTI_AGS_RETRY_MAX = env_float("LTI_AGS_RETRY_MAX", 900.0, minimum=0.1)
# The AGS sweeper (beat): a score due for LTI_AGS_LOST_AFTER s is sent again (its
# message was lost); one "sending" for LTI_AGS_SENDING_STALE_AFTER s is taken
# back (its worker died), which must outlast a token request plus a score post.
LTI_AGS_SWEEP_INTERVAL = env_float("LTI_AGS_SWEEP_INTERVAL", 30.0, minimum=0.5)
LTI_AGS_LOST_AFTER = env_float("LTI_AGS_LOST_AFTER", 30.0, minimum=0.5)
LTI_AGS_SENDING_STALE_AFTER = env_float("LTI_AGS_SENDING_STALE_AFTER", 60.0, minimum=1.0)
# A score's task may take a token request and a post, each up to LTI_SERVICE_TIMEOUT;
# its hard limit is that plus a margin, and only past it is a "sending" row surely orphaned.
LTI_AGS_TASK_TIME_LIMIT = 2 * LTI_SERVICE_TIMEOUT + 10
if LTI_AGS_SENDING_STALE_AFTER <= LTI_AGS_TASK_TIME_LIMIT:
    raise ImproperlyConfiguredEnv(
        "LTI_AGS_SENDING_STALE_AFTER must exceed 2 × LTI_SERVICE_TIMEOUT + 10 s (the score task's hard limit): "
        "a live worker may still be posting until then"
    )
# Reading a roster pages through the whole class: minutes, not a grading task's seconds.
LTI_ROSTER_TIME_LIMIT = env_int("LTI_ROSTER_TIME_LIMIT", 600, minimum=10)
CELERY_BEAT_SCHEDULE["sweep-ags-outbox"] = {
    "task": "lti.tasks.ags_sweep",
    "schedule": LTI_AGS_SWEEP_INTERVAL,
    "options": {"queue": "default", "expires": LTI_AGS_SWEEP_INTERVAL},
}
