"""Admin widgets: Django's, with what a screen reader needs and they lack."""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each named by the "Date" / "Time" shown before it.

    Django prints those words as plain text, and the field's label points at
    neither input (a split field has two), so both inputs had no name at all
    (axe: "Form elements must have labels", critical).
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = zip(context["widget"]["subwidgets"], (context["date_label"], context["time_label"]))
        for subwidget, words in parts:
            subwidget["attrs"]["aria-label"] = str(words).rstrip(":：")
        return context


# For an admin's formfield_overrides: every date and time it edits, labelled.
LABELLED_DATETIMES = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
