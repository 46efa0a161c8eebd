"""Settings come from the environment (see README "Configuration").

With nothing set, the service runs on embedded defaults: a SQLite file and a
broker that needs no server. DEBUG is off unless asked for, and then a
SECRET_KEY must be given.
"""

from pathlib import Path

import dj_database_url

from config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_ONLY_SECRET = "dev-only-insecure-key-never-used-when-debug-is-off"
SECRET_KEY = env_str("SECRET_KEY", _DEV_ONLY_SECRET if DEBUG else None) or None
if SECRET_KEY is None:
    raise ImproperlyConfiguredEnv("SECRET_KEY must be set when DEBUG is off")

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
    "rest_framework.authtoken",
    "courses",
    "grader",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

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
SUBMISSION_RATE_LIMIT = env_str("SUBMISSION_RATE_LIMIT", "10/m")
# Per exercise, when the exercise sets none; 0 means unlimited.
SUBMISSION_DEFAULT_ATTEMPT_LIMIT = env_int("SUBMISSION_DEFAULT_ATTEMPT_LIMIT", 0, minimum=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

# --- Celery ---------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: no server, so
# `make run` works with nothing but Python. Production sets REDIS_URL.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = Path(env_str("BROKER_DIR", str(BASE_DIR / "var" / "broker")))
