"""The form of the bulk extension / excusal page in admin."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Assignment
from staff.services import BulkAction

_LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class BulkGrantForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none(), label=_("Assignment"))
    action = forms.ChoiceField(
        label=_("What"),
        choices=[
            (BulkAction.EXTEND, _("Extend (new due or close date, extra attempts)")),
            (BulkAction.EXCUSE, _("Excuse from the assignment")),
            (BulkAction.UNEXCUSE, _("Take an excusal back")),
        ],
        widget=forms.RadioSelect,
    )
    usernames = forms.CharField(
        label=_("Students (usernames)"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One a line, or separated by commas or spaces."),
    )
    due_at = forms.DateTimeField(
        label=_("New due date"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE),
    )  # fmt: skip
    closes_at = forms.DateTimeField(
        label=_("New close date"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE),
    )  # fmt: skip
    extra_attempts = forms.IntegerField(label=_("Extra attempts"), required=False, min_value=0, max_value=1000, initial=0)
    reason = forms.CharField(label=_("Reason (shown to the students)"), max_length=500)

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        # A datetime-local input carries no zone: the times typed are read in the site's (TIME_ZONE),
        # which need not be the browser's, so the form says which it is.
        zone_help = _("Extensions only. Empty: the assignment's. Times are in the %(zone)s time zone.") % {
            "zone": timezone.get_current_timezone_name()
        }
        self.fields["due_at"].help_text = self.fields["closes_at"].help_text = zone_help
        self.fields["assignment"].queryset = assignments
