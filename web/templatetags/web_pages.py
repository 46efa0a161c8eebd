"""Filters for the students' pages."""

from django import template
from django.template.defaultfilters import floatformat

from django.utils.translation import gettext_lazy as _

from courses.language import is_chinese
from web.heatmap import heatmap_from

register = template.Library()


@register.filter
def in_language(obj, name: str):
    """`obj[name + "_zh"]` or `obj[name + "_en"]` for dicts (stored precheck tests) and objects alike; English when Chinese is empty."""
    get = obj.get if isinstance(obj, dict) else lambda key: getattr(obj, key, "")
    if is_chinese():
        value = get(f"{name}_zh")
        if value:
            return value
    return get(f"{name}_en")


@register.filter
def heatmap(visible_data):
    return heatmap_from(visible_data or {})


_STATUS_TEXT = {
    "queued": _("Queued"),
    "running": _("Being graded"),
    "graded": _("Graded"),
    "error": _("Your file did not load"),
    "timeout": _("Time limit"),
    "memory_limit": _("Memory limit"),
    "output_limit": _("Output limit"),
    "crashed": _("Crashed"),
    "internal_error": _("Grader failure (not your code)"),
}


@register.filter
def status_text(status: str) -> str:
    """A run's status in the page's language."""
    return _STATUS_TEXT.get(status, status)


# Why a grade changed, in the student's terms. The actor is not named (as in the
# API): the staff's own words are in the change's reason.
_CAUSE_TEXT = {
    "submitted": _("You submitted; the grader has it"),
    "graded": _("Your work was graded"),
    "regraded": _("Regraded by the course staff"),
    "late_penalty": _("The late penalty was changed"),
    "extension": _("Your extension was granted or changed"),
    "override": _("Set by an instructor"),
}
_EXCUSAL_TEXT = {True: _("Excused by the course staff"), False: _("Excusal withdrawn")}


@register.filter
def change_text(change) -> str:
    """What a GradeChange did, in the page's language (an excusal says which way it went)."""
    if change.cause == "excused":
        return _EXCUSAL_TEXT[change.new_state == "excused"]
    return _CAUSE_TEXT.get(change.cause, change.cause)


_STATE_TEXT = {
    "": "—",  # no grade yet: the first change's "before"
    "not_submitted": _("Not started"),
    "pending": _("Being graded"),
    "excused": _("Excused"),
}


@register.simple_tag
def grade_value(state: str, score) -> str:
    """One side of a grade change: the score when graded, else the state in words."""
    if state == "graded" and score is not None:
        return floatformat(score, "-2")
    return str(_STATE_TEXT.get(state, state))
