"""What a client sees when the server fails (DEBUG off).

Django has already logged the exception with its traceback (logger
django.request, to stderr: see LOGGING) by the time this view runs; this only
chooses the answer: the API's one error shape under /api/, a plain page
elsewhere. It must not fail itself, so it touches no database and no template.
"""

from django.http import HttpResponse, JsonResponse

_MESSAGE = "Something went wrong on our side. It has been logged; please try again later."
_MESSAGE_ZH = "服务器内部出错，已记录。请稍后重试。"


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "server_error", "message": _MESSAGE, "message_zh": _MESSAGE_ZH}}, status=500
        )
    return HttpResponse(f"{_MESSAGE}\n{_MESSAGE_ZH}\n", status=500, content_type="text/plain; charset=utf-8")
