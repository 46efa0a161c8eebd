from django.shortcuts import render

from courses.selectors import course_list_for_catalogue
from courses.language import page_language


def home(request):
    """The catalogue: what `make run` prints the URL of."""
    return render(request, "courses/home.html", {"courses": course_list_for_catalogue(), "lang": page_language(request)})


def healthz(request):
    """For load balancers and the compose health check: the process answers (no database query)."""
    from django.http import HttpResponse

    return HttpResponse("ok\n", content_type="text/plain")
