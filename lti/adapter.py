"""The one module that speaks pylti1p3: swap the library by rewriting this file alone.

It turns an OIDC login request into the redirect to the platform, and a launch
POST into `LaunchClaims`, or raises `LaunchRefused` with a reason code that
views map to a page. It also builds the deep-linking response message and
calls the platform's services (OAuth2 token, AGS scores, NRPS roster), raising
`ServiceUnavailable` (try again later) or `ServiceRefused` (it never will).
Nothing here writes to the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.keys import tool_key_current, tool_message_sign
from lti.models import PlatformDeployment, PlatformRegistration

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEEP_LINKING_DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


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
    deployment_id: str = ""
    context_id: str = ""
    context_title: str = ""
    resource_link_id: str = ""
    ags_endpoint: dict = field(default_factory=dict)  # lineitems, lineitem, scope: as the platform sent them
    memberships_url: str = ""
    deep_linking: dict = field(default_factory=dict)  # deep_link_return_url, data, accept_types...


def _claim_dict(body: dict, name: str) -> dict:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


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
    context = _claim_dict(body, CLAIM + "context")
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
        deployment_id=str(body.get(CLAIM + "deployment_id") or ""),
        context_id=str(context.get("id") or ""),
        context_title=str(context.get("title") or ""),
        resource_link_id=str(_claim_dict(body, CLAIM + "resource_link").get("id") or ""),
        ags_endpoint=_claim_dict(body, AGS_CLAIM),
        memberships_url=str(_claim_dict(body, NRPS_CLAIM).get("context_memberships_url") or ""),
        deep_linking=_claim_dict(body, DEEP_LINKING_CLAIM),
    )


# --- Deep linking ------------------------------------------------------------------


@dataclass(frozen=True)
class DeepLinkItem:
    """An assignment placed in the LMS: a resource link that launches it, with a line item for its grade."""

    title: str
    url: str
    resource_id: str
    score_maximum: float
    custom: dict


def deep_link_response_jwt(*, registration: PlatformRegistration, deployment_id: str, settings_claim: dict,
                           items: list[DeepLinkItem]) -> str:
    """The LtiDeepLinkingResponse message for `items`, signed with the tool's current key."""
    library_registration = Registration().set_issuer(registration.issuer).set_client_id(registration.client_id)
    resources = [
        DeepLinkResource()
        .set_type("ltiResourceLink")
        .set_title(item.title)
        .set_url(item.url)
        .set_custom_params(item.custom)
        .set_lineitem(
            LineItem().set_score_maximum(item.score_maximum).set_label(item.title).set_resource_id(item.resource_id)
        )
        for item in items
    ]
    message = DeepLink(library_registration, deployment_id, settings_claim).get_message_jwt(resources)
    if message.get(DEEP_LINKING_DATA_CLAIM) is None:
        message.pop(DEEP_LINKING_DATA_CLAIM)  # no data in the request: left out rather than sent as null
    return tool_message_sign(claims=message, lifetime_seconds=600)


# --- The platform's services (OAuth2 client credentials, AGS, NRPS) --------------------


class ServiceUnavailable(Exception):
    """The LMS did not answer, or answered that it cannot now (5xx, 429, 401): worth trying again later."""


class ServiceRefused(Exception):
    """The LMS answered that it will not take this (another 4xx): trying again will not help."""


class _ServiceSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_SERVICE_TIMEOUT)
        return super().request(*args, **kwargs)


def _token_cache_key(registration: PlatformRegistration, scopes: list[str]) -> str:
    digest = hashlib.sha256("|".join(sorted(scopes)).encode()).hexdigest()[:16]
    return f"lti:access-token:{registration.pk}:{digest}"


class _Connector(ServiceConnector):
    """pylti1p3's service connector, with the access token kept in Django's cache until it expires.

    The library's own cache lives only as long as one connector (one score);
    Django's default cache is per process, so each worker process asks once
    an hour, and a shared cache (Redis) would make it once per deployment.
    The client assertion is signed with the tool's current key, which
    /lti/jwks/ publishes.
    """

    def __init__(self, registration: PlatformRegistration):
        library_registration = (
            Registration()
            .set_issuer(registration.issuer)
            .set_client_id(registration.client_id)
            .set_auth_token_url(registration.auth_token_url)
        )
        super().__init__(library_registration, requests_session=_ServiceSession())
        self._row = registration

    def get_access_token(self, scopes) -> str:
        key = _token_cache_key(self._row, list(scopes))
        token = cache.get(key)
        if token:
            return token
        assertion = tool_message_sign(
            claims={
                "iss": self._row.client_id,
                "sub": self._row.client_id,
                "aud": self._row.auth_token_url,
                "jti": f"lti-service-token-{uuid.uuid4()}",
            },
            lifetime_seconds=60,
        )
        response = self._requests_session.post(self._row.auth_token_url, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(scopes),
        })
        if not response.ok:
            # Unavailable even for a 4xx: a token refused is a registration to fix (our key not yet on
            # file at the LMS, say), after which every score waiting must still go; so they wait.
            raise ServiceUnavailable(f"token request refused: {response.status_code} {response.text[:200]}")
        body = response.json()
        token = str(body["access_token"])
        try:
            lifetime = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600
        # a margin, so a token is not used in the second it expires
        cache.set(key, token, timeout=max(1, lifetime - 30))
        return token

    def forget_token(self, scopes) -> None:
        cache.delete(_token_cache_key(self._row, list(scopes)))


def _service_call(connector: _Connector, scopes: list[str], url: str, **kwargs) -> dict:
    try:
        return connector.make_service_request(scopes, url, **kwargs)
    except LtiServiceException as exc:
        status = exc.response.status_code
        if status == 401:
            connector.forget_token(scopes)  # expired or revoked early: the next try asks for a new one
        if status in (401, 408, 429) or status >= 500:
            raise ServiceUnavailable(f"{status} from {urlsplit(exc.response.url).netloc}") from exc
        raise ServiceRefused(f"{status}: {exc.response.text[:300]}") from exc
    except (requests.RequestException, KeyError, ValueError) as exc:
        raise ServiceUnavailable(type(exc).__name__ + ": " + str(exc)[:300]) from exc


def _scores_url(lineitem_url: str) -> str:
    # AGS: the scores service is the line item's URL with /scores appended to its path (query kept)
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class ScoreOutcome:
    ACCEPTED = "accepted"
    ALREADY_NEWER = "already_newer"  # 409: the LMS holds a score with this or a later timestamp


def ags_score_post(*, registration: PlatformRegistration, lineitem_url: str, score: dict) -> str:
    """POST one Score to the line item; a ScoreOutcome value, or ServiceUnavailable / ServiceRefused."""
    connector = _Connector(registration)
    try:
        _service_call(
            connector, [SCORE_SCOPE], _scores_url(lineitem_url), is_post=True, data=json.dumps(score),
            content_type=SCORE_MEDIA_TYPE,
        )
    except ServiceRefused as exc:
        if isinstance(exc.__cause__, LtiServiceException) and exc.__cause__.response.status_code == 409:
            return ScoreOutcome.ALREADY_NEWER
        raise
    return ScoreOutcome.ACCEPTED


MAX_ROSTER_PAGES = 10_000  # a platform whose `next` never ends must not hold a worker for ever


def nrps_member_pages(*, registration: PlatformRegistration, memberships_url: str):
    """Each page of the context's members (a list of dicts), following `next` (Link header, or in the body)."""
    connector = _Connector(registration)
    url, seen = memberships_url, set()
    while url:
        if url in seen or len(seen) >= MAX_ROSTER_PAGES:
            raise ServiceRefused(f"the membership pages loop or do not end ({len(seen)} read)")
        seen.add(url)
        page = _service_call(connector, [MEMBERSHIP_SCOPE], url, accept=MEMBERSHIP_MEDIA_TYPE)
        body = page["body"] if isinstance(page["body"], dict) else {}
        members = body.get("members")
        yield [member for member in members if isinstance(member, dict)] if isinstance(members, list) else []
        url = _next_link(page["headers"]) or (body.get("next") if isinstance(body.get("next"), str) else None)


def _next_link(headers) -> str | None:
    # parsed here: pylti1p3 lower-cases the whole Link header, and with it the URL
    link = next((value for name, value in headers.items() if name.lower() == "link"), "")
    for entry in requests.utils.parse_header_links(link):
        if entry.get("rel") == "next" and entry.get("url"):
            return entry["url"]
    return None
