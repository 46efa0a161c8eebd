"""The one module that speaks pylti1p3: swap the library by rewriting this file alone.

It turns an OIDC login request into the redirect to the platform, and a launch
POST into `LaunchClaims`, or raises `LaunchRefused` with a reason code that
views map to a page. Nothing here writes to the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.keys import tool_key_current
from lti.models import PlatformDeployment, PlatformRegistration

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class LaunchRefused(Exception):
    """A login or launch we do not accept. `reason` is one of lti.views.REFUSALS' keys."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class LaunchClaims:
    registration_id: int
    issuer: str
    sub: str
    nonce: str
    message_type: str
    roles: tuple[str, ...]
    target_link_uri: str
    custom: dict = field(default_factory=dict)
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    email: str = ""


class _Registrations(ToolConfAbstract):
    """pylti1p3's view of our PlatformRegistration / PlatformDeployment rows (active ones only)."""

    def __init__(self):
        super().__init__()
        self.registration_row: PlatformRegistration | None = None

    def check_iss_has_one_client(self, iss):
        return False

    def check_iss_has_many_clients(self, iss):
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        rows = PlatformRegistration.objects.filter(issuer=iss, is_active=True)
        if client_id is not None:
            rows = rows.filter(client_id=client_id)
        rows = list(rows[:2])
        if len(rows) != 1:  # unknown, or an issuer with several clients that did not say which
            return None
        self.registration_row = row = rows[0]
        registration = (
            Registration()
            .set_issuer(row.issuer)
            .set_client_id(row.client_id)
            .set_auth_login_url(row.auth_login_url)
            .set_auth_token_url(row.auth_token_url)
            .set_key_set_url(row.keyset_url)
        )
        registration.set_tool_private_key(tool_key_current().private_pem)
        return registration

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        row = self.registration_row
        if row is None or not PlatformDeployment.objects.filter(registration=row, deployment_id=deployment_id).exists():
            return None
        return Deployment().set_deployment_id(deployment_id)


class _TimeoutSession(requests.Session):
    """requests has no default timeout: a platform that never answers must not hold a web worker."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_KEYSET_TIMEOUT)
        return super().request(*args, **kwargs)


def _storage() -> DjangoCacheDataStorage:
    return DjangoCacheDataStorage(cache_name="default")


def oidc_login_redirect(*, request: HttpRequest, launch_url: str) -> HttpResponse:
    """The redirect to the platform's authorisation endpoint (sets the state cookie, stores the nonce)."""
    params = request.POST if request.method == "POST" else request.GET
    if not params.get("iss") or not params.get("login_hint") or not params.get("target_link_uri"):
        raise LaunchRefused("bad_login", "iss, login_hint and target_link_uri are required")
    login = DjangoOIDCLogin(request, _Registrations(), launch_data_storage=_storage())
    try:
        return login.redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        raise LaunchRefused("unknown_registration", str(exc)) from exc


def _reason_for(message: str) -> str:
    lowered = message.lower()
    for fragment, reason in (
        ("missing state", "no_state"),
        ("state not found", "bad_state"),
        ("nonce", "bad_nonce"),
        ("registration not found", "unknown_registration"),
        ("client id", "unknown_registration"),
        ("deployment", "unknown_deployment"),
        ("expired", "expired"),
        ("signature", "bad_signature"),
        ("public key", "bad_signature"),
        ("kid", "bad_signature"),
        ("can't decode id_token", "bad_signature"),
        ("error during fetch", "keyset_unavailable"),
        ("invalid response from", "keyset_unavailable"),
    ):
        if fragment in lowered:
            return reason
    return "bad_message"


def launch_validate(*, request: HttpRequest) -> LaunchClaims:
    """The claims of a launch whose state, nonce, registration, signature, expiry and deployment all check out."""
    if not request.POST.get("id_token"):
        raise LaunchRefused("bad_message", "no id_token")
    config = _Registrations()
    launch = DjangoMessageLaunch(request, config, launch_data_storage=_storage(), requests_session=_TimeoutSession())
    launch.set_public_key_caching(_storage(), cache_lifetime=settings.LTI_KEYSET_CACHE_SECONDS)
    try:
        body = launch.get_launch_data()
    except LtiException as exc:
        raise LaunchRefused(_reason_for(str(exc)), str(exc)) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # malformed claims the library trips over
        raise LaunchRefused("bad_message", type(exc).__name__) from exc
    roles = body.get(CLAIM + "roles") or []
    custom = body.get(CLAIM + "custom") or {}
    return LaunchClaims(
        registration_id=config.registration_row.pk,
        issuer=str(body["iss"]),
        sub=str(body.get("sub") or ""),
        nonce=str(body["nonce"]),
        message_type=str(body.get(CLAIM + "message_type") or ""),
        roles=tuple(str(role) for role in roles) if isinstance(roles, list) else (),
        target_link_uri=str(body.get(CLAIM + "target_link_uri") or ""),
        custom=custom if isinstance(custom, dict) else {},
        given_name=str(body.get("given_name") or ""),
        family_name=str(body.get("family_name") or ""),
        name=str(body.get("name") or ""),
        email=str(body.get("email") or ""),
    )
