"""gunicorn settings from the environment (`make web`, Docker): fail loudly on bad values."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.env import env_int, env_str  # noqa: E402

bind = f"{env_str('HOST', '0.0.0.0')}:{env_int('PORT', 8000, minimum=1, maximum=65535)}"
workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1, minimum=1, maximum=256)
threads = env_int("WEB_THREADS", 1, minimum=1, maximum=64)
timeout = env_int("WEB_TIMEOUT", 30, minimum=1)
graceful_timeout = 10
accesslog = "-" if env_str("WEB_ACCESS_LOG", "1") == "1" else None
errorlog = "-"
# Behind a proxy in production; the proxy sets X-Forwarded-For.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1")
