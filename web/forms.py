from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The editor's text, for a submission or a precheck. Its limits are submission_code_validate's, checked in the service."""

    # strip=False: leading and trailing whitespace is the student's code as written.
    code = forms.CharField(label=_("Your code"), strip=False, required=False, widget=forms.Textarea)
