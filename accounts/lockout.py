"""Password guessing: failures counted per account and per address, refused before any hashing.

django-axes does the counting (AccessAttempt rows in the database, so every
web process sees the same counts) and its backend, first in
AUTHENTICATION_BACKENDS, refuses a locked-out attempt before Django's
ModelBackend hashes the password: guessing past the limit costs no CPU.

Every password login goes through `django.contrib.auth.authenticate` with
the request, so all of them share this mechanism:
  - the admin login (Django's AuthenticationForm; AxesMiddleware swaps the
    response for `lockout_response`);
  - the API token endpoint (`user_authenticate` below raises LoginLockedOut);
  - a future web login (a LoginView with AuthenticationForm needs nothing more;
    a hand-written view calls `user_authenticate`).

`authenticate()` without a request is refused (axes raises ValueError): a
login that cannot be counted is not allowed. Tests log in with force_login.

The account limit is low (targeted guessing); the address limit is higher,
because a whole classroom can sit behind one NAT address.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_CODE = "login_locked_out"


def lockout_messages() -> tuple[str, str]:
    """The one refusal, the same whether the account exists or not (it names neither)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return (
        f"Too many failed sign-in attempts for this account or from this address. Try again in {minutes} minutes.",
        f"该账号或该地址的登录失败次数过多。请在 {minutes} 分钟后重试。",
    )


class LoginLockedOut(Exception):
    def __init__(self):
        self.message, self.message_zh = lockout_messages()
        self.retry_after = settings.LOGIN_LOCKOUT_MINUTES * 60
        super().__init__(self.message)


def user_authenticate(*, request, username: str, password: str):
    """The user these credentials name, or None; LoginLockedOut when the account or address is locked.

    `request` is the Django or DRF request: the lockout counts by its address.
    """
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginLockedOut()
    return user


class PerAccountAndAddressHandler(AxesDatabaseHandler):
    """Locks when the account's failures reach LOGIN_FAILURE_LIMIT or the address's reach LOGIN_ADDRESS_FAILURE_LIMIT.

    axes compares one number with one limit (AXES_FAILURE_LIMIT, set to the
    account limit); this reports the account's count, raised to that limit
    when the address is over its own.
    """

    def get_failures(self, request, credentials=None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = _failures(recent.filter(username=username)) if username is not None else 0
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.LOGIN_FAILURE_LIMIT)
        return by_account

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # The right password clears its account's count (a few typos should not
        # add up over a day), never its address's: otherwise one valid login
        # would reset a guesser's count against every other account. A row
        # counts for both, so it is detached from the account, not deleted.
        AccessAttempt.objects.filter(username=user.get_username()).update(username=None)


def _failures(attempts) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


def client_address(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the address a failure is counted against.

    Behind TRUSTED_PROXY_HOPS proxies that each append to X-Forwarded-For, the
    client is that many entries from the right (entries further left are the
    client's own claims). IPv6 counts by /64: one machine usually holds a whole /64.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "0.0.0.0"  # no usable address: all such requests share one count
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429, the API's JSON error shape under /api/, a page in both languages elsewhere."""
    message, message_zh = lockout_messages()
    retry_after = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": LOCKOUT_CODE, "message": message, "message_zh": message_zh, "retry_after": int(retry_after)}},
            status=429,
        )
    else:
        response = render(request, "accounts/locked_out.html", {"message": message, "message_zh": message_zh}, status=429)
    response["Retry-After"] = retry_after
    return response
