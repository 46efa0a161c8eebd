"""Read settings from the environment and fail loudly on a bad value.

A typo in a deployment variable must stop the process at start-up, not
quietly fall back to a default that nobody chose.
"""

import os
from pathlib import Path


class ImproperlyConfiguredEnv(RuntimeError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()


def _raw(name, default=_MISSING):
    """The value of NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        if name in os.environ:
            raise ImproperlyConfiguredEnv(f"set {name} or {name}_FILE, not both")
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    if name in os.environ:
        return os.environ[name]
    if default is _MISSING:
        raise ImproperlyConfiguredEnv(f"{name} must be set")
    return default


def env_str(name, default=_MISSING):
    return _raw(name, default)


def env_bool(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name, default=_MISSING, *, minimum=None, maximum=None):
    value = _raw(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfiguredEnv(f"{name}={number} is above the maximum {maximum}")
    return number


def env_float(name, default=_MISSING, *, minimum=None):
    value = _raw(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={number} is below the minimum {minimum}")
    return number


def env_list(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, (list, tuple)):
        return list(value)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name, choices, default=_MISSING):
    value = _raw(name, default)
    if value not in choices:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value
