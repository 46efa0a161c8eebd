from django.http import HttpResponse


def healthz(request):
    """For load balancers and the compose health check: the process answers (no database query)."""
    return HttpResponse("ok\n", content_type="text/plain")
