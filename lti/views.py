"""LTI endpoints: the tool's keyset, OIDC login initiation, the launch, and the deep-linking picker.

The LMS posts login and launch from its own site: they are CSRF-exempt (the
launch is authenticated by the platform's signature, the state cookie and the
nonce instead) and may be framed.
"""

import logging
import secrets
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lti.adapter import LaunchRefused, launch_validate, oidc_login_redirect
from lti.deep_linking import (
    DeepLinkInvalid,
    assignment_path,
    assignment_title,
    deep_link_choices,
    deep_link_response,
    deep_link_user_may_answer,
)
from lti.keys import tool_jwks
from lti.services import lti_launch_accept

_DEEP_LINK_SESSION_PREFIX = "lti-deep-link:"

logger = logging.getLogger(__name__)

# reason -> (HTTP status, English, Chinese)
REFUSALS = {
    "bad_login": (400, "The login request is missing iss, login_hint or target_link_uri.", "登录请求缺少 iss、login_hint 或 target_link_uri。"),
    "unknown_registration": (403, "This LMS (issuer and client id) is not registered with this tool.", "此 LMS（issuer 与 client id）未在本工具注册。"),
    "unknown_deployment": (403, "This LMS deployment is not registered with this tool.", "此 LMS 部署（deployment）未在本工具注册。"),
    "no_state": (400, "The launch carries no state: start it again from your LMS.", "启动请求缺少 state：请从 LMS 重新进入。"),
    "bad_state": (403, "The launch state does not match this browser: start it again from your LMS (and allow its cookies).", "启动的 state 与本浏览器不符：请从 LMS 重新进入（并允许其 Cookie）。"),
    "bad_nonce": (403, "The launch nonce was not issued by this tool.", "启动的 nonce 不是本工具签发的。"),
    "replayed_nonce": (403, "This launch has already been used: start it again from your LMS.", "该启动请求已被使用过：请从 LMS 重新进入。"),
    "expired": (403, "The launch has expired: start it again from your LMS.", "启动请求已过期：请从 LMS 重新进入。"),
    "bad_signature": (403, "The launch's signature does not verify against the LMS's keys.", "启动请求的签名无法用该 LMS 的密钥验证。"),
    "keyset_unavailable": (502, "The LMS's public keys could not be fetched: try again later.", "无法获取该 LMS 的公钥：请稍后再试。"),
    "bad_message": (400, "The launch message is malformed.", "启动消息格式有误。"),
    "unsupported_message": (400, "This kind of LTI launch is not supported yet.", "暂不支持这种 LTI 启动类型。"),
    "unsupported_role": (403, "Your role in this course is neither learner, teaching assistant nor instructor.", "您在该课程中的角色既不是学生、助教也不是教师。"),
    "not_instructor": (403, "Only an instructor of the course can place its assignments in the LMS.", "只有该课程的教师可以把作业放入 LMS。"),
    "no_target": (404, "The launch names no exercise or quiz that you can open in this course.", "该启动未指向本课程中您可打开的练习或测验。"),
}


def _refused(request, refusal: LaunchRefused):
    status, english, chinese = REFUSALS[refusal.reason]
    # the detail is the library's message or a claim excerpt, never a token or a key
    logger.info("LTI launch refused: %s (%s)", refusal.reason, refusal.detail)
    return render(
        request, "lti/refused.html", {"reason": refusal.reason, "english": english, "chinese": chinese}, status=status
    )


@require_GET
def jwks(request):
    return JsonResponse(tool_jwks())


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_login(request):
    try:
        return oidc_login_redirect(request=request, launch_url=request.build_absolute_uri(reverse("lti-launch")))
    except LaunchRefused as refusal:
        return _refused(request, refusal)


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_POST
def launch(request):
    try:
        claims = launch_validate(request=request)
        accepted = lti_launch_accept(claims=claims)
    except LaunchRefused as refusal:
        return _refused(request, refusal)
    login(request, accepted.user, backend="django.contrib.auth.backends.ModelBackend")
    if accepted.deep_linking is not None:
        key = secrets.token_urlsafe(16)
        request.session[_DEEP_LINK_SESSION_PREFIX + key] = accepted.deep_linking
        return redirect("lti-deep-link", key=key)
    return redirect(assignment_path(accepted.assignment))


def _pending_deep_link(request, key: str) -> dict:
    """The deep-linking launch this browser made, if its user still teaches the course; else 404."""
    pending = request.session.get(_DEEP_LINK_SESSION_PREFIX + key) if request.user.is_authenticated else None
    if pending is None or not deep_link_user_may_answer(user=request.user, course_id=pending["course_id"]):
        raise Http404("No such deep-linking request.")
    return pending


@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def deep_link(request, key: str):
    """GET: the course's published assignments to pick. POST: the signed answer, auto-posted to the LMS."""
    pending = _pending_deep_link(request, key)
    error = ""
    if request.method == "POST":
        try:
            return_url, token = deep_link_response(
                pending=pending, slugs=request.POST.getlist("assignment"), base_url=request.build_absolute_uri("/")
            )
        except DeepLinkInvalid as exc:
            error = str(exc)
        else:
            del request.session[_DEEP_LINK_SESSION_PREFIX + key]  # answered once
            response = render(request, "lti/deep_link_return.html", {"return_url": return_url, "token": token})
            # the form posts to the LMS: the one origin this page may send a form to besides ours
            # (django-csp reads this attribute, as its csp_update decorator sets it)
            return_origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
            response._csp_update = {"form-action": [return_origin]}
            return response
    choices = [
        {"slug": a.slug, "kind": a.get_kind_display(), "title": assignment_title(a), "points": a.points}
        for a in deep_link_choices(course_id=pending["course_id"])
    ]
    return render(
        request,
        "lti/deep_link.html",
        {"choices": choices, "error": error, "multiple": pending["settings"].get("accept_multiple", True)},
        status=400 if error else 200,
    )
