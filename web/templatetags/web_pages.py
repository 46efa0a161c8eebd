"""Filters for the students' pages."""

from django import template

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
