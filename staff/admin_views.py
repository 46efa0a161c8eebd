"""The bulk extension / excusal page in admin: a form, a preview of every grade change, then the change.

Wired into admin by grades.admin.ExtensionAdmin; open to whoever may add
extensions (the course's instructors and TAs), for the assignments of their
courses only.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from courses.models import Assignment
from staff.forms import BulkGrantForm
from staff.services import BulkAction, BulkInvalid, extensions_bulk_apply, usernames_parse


def bulk_grant_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    assignments = Assignment.objects.select_related("course").order_by("course__slug", "slug")
    if not request.user.is_superuser:
        assignments = assignments.filter(course_id__in=model_admin.course_ids_allowing(request, "add"))
    moves = None
    if request.method == "POST":
        form = BulkGrantForm(request.POST, assignments=assignments)
        # "Back to the form" shows the form again, filled in, and changes nothing.
        if form.is_valid() and "edit" not in request.POST:
            data = form.cleaned_data
            confirm = "confirm" in request.POST
            try:
                moves = extensions_bulk_apply(
                    assignment=data["assignment"],
                    usernames=usernames_parse(data["usernames"]),
                    action=data["action"],
                    actor=request.user,
                    reason=data["reason"],
                    due_at=data["due_at"],
                    closes_at=data["closes_at"],
                    extra_attempts=data["extra_attempts"] or 0,
                    dry_run=not confirm,
                )
            except BulkInvalid as problem:
                form.add_error("usernames" if problem.unknown else None, str(problem))
                moves = None
            else:
                if confirm:
                    changed = sum(move.changed for move in moves)
                    model_admin.message_user(
                        request,
                        _("Done for %(students)d student(s); %(changed)d grade(s) changed.")
                        % {"students": len(moves), "changed": changed},
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:courses_assignment_change", args=[data["assignment"].pk]))
    else:
        form = BulkGrantForm(
            initial={"assignment": request.GET.get("assignment"), "action": request.GET.get("action", "extend")},
            assignments=assignments,
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Extensions and excusals for many students"),
        "opts": model_admin.model._meta,
        "form": form,
        "moves": moves,
        "changed_count": sum(move.changed for move in moves) if moves else 0,
        "granted": _granted(form) if moves is not None else [],
    }
    return TemplateResponse(request, "staff/admin_bulk_grant.html", context)


def _granted(form) -> list[tuple[str, object]]:
    """What confirming grants, as (the form's label, the value typed), for the preview to repeat."""
    data = form.cleaned_data
    names = ("due_at", "closes_at", "extra_attempts", "reason") if data["action"] == BulkAction.EXTEND else ("reason",)
    return [(form.fields[name].label, data[name]) for name in names]
