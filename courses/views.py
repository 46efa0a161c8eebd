from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control


def healthz(request):
    """For load balancers and the compose health check: the process answers (no database query)."""
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request):
    """/favicon.ico, which browsers and tools ask for on their own: our icon in the static files.

    A temporary redirect, cached for a day: the static URL may carry a content hash that changes
    with the file, and a permanent redirect would pin the old one in browsers.
    """
    response = HttpResponseRedirect(static("web/favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
