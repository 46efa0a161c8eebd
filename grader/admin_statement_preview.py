"""The statement preview in the exercise form: Markdown in, the HTML students would see out.

Wired into admin by grader.admin.ExerciseAdmin.get_urls, so admin's login,
CSRF and course scoping apply. Whoever may see the form may preview in it: an
unsaved new exercise needs the right to add one; an existing exercise needs
the right to see it (its course's instructor, its TA on the read-only form, a
superuser), and is not found for anyone else. Nothing is stored.

The HTML comes from the renderer of the students' page (grader.markdown_render:
Markdown, then nh3's allow-list), so a statement's <script> or onerror is as
inert here as there; the form's script typesets its math with KaTeX.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _

from grader.markdown_render import markdown_to_safe_html

STATEMENT_FIELDS = ("statement_zh", "statement_en")
# Per statement: the sample course's longest is about 5,000 characters. The cap
# keeps one request from holding a web process rendering megabytes of Markdown.
STATEMENT_PREVIEW_MAX_CHARS = 100_000


def _refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def statement_preview_view(model_admin, request, object_id=None):
    # A POST (with admin's CSRF check), though it changes nothing: a statement can be longer than a URL.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if object_id is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
    else:
        # get_object reads the course-scoped queryset: another course's exercise is not found.
        exercise = model_admin.get_object(request, unquote(object_id))
        if exercise is None:
            raise Http404
        if not model_admin.has_view_or_change_permission(request, exercise):
            raise PermissionDenied

    texts = {}
    for name in STATEMENT_FIELDS:
        values = request.POST.getlist(name)
        if len(values) > 1:
            return _refusal(400, _("Send each statement once."))
        if values:
            texts[name] = values[0]
    if not texts:
        return _refusal(400, _("Nothing to preview: send statement_zh or statement_en."))
    if any(len(text) > STATEMENT_PREVIEW_MAX_CHARS for text in texts.values()):
        return _refusal(
            413,
            _("A statement longer than %(limit)s characters cannot be previewed.")
            % {"limit": f"{STATEMENT_PREVIEW_MAX_CHARS:,}"},
        )
    return JsonResponse({name: markdown_to_safe_html(text) for name, text in texts.items()})
