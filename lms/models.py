"""Machine credentials for an LMS: bound to one course, limited to scopes, stored as a hash."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    GRADES_READ = "grades:read", "grades:read · 读取成绩"
    ROSTER_READ = "roster:read", "roster:read · 读取名单"
    ASSIGNMENTS_READ = "assignments:read", "assignments:read · 读取作业"


class LmsToken(models.Model):
    """One LMS integration's credential. The token itself is shown once; only its SHA-256 is kept."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="lms_tokens")
    name = models.CharField(max_length=200, help_text="Who uses it, e.g. 'Canvas grade sync'.")
    # The token's public part: finds the row without comparing secrets in SQL.
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the whole token, hex.")
    scopes = models.JSONField(default=list, help_text="A list of scope names.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Recorded at most once a minute (lms.tokens.LAST_USED_RESOLUTION), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LMS token")
        verbose_name_plural = _("LMS tokens")
        ordering = ["course", "-created_at"]

    def __str__(self):
        return f"{self.name} ({self.course.slug}, lms_{self.key_id}_…)"

    def __repr__(self):  # never the digest, even in a traceback
        return f"<LmsToken {self.pk} lms_{self.key_id}_…>"
