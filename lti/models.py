from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformRegistration(models.Model):
    """One LMS (issuer + client id) that may launch this tool, and the course its launches enter."""

    name = models.CharField(max_length=200)
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField(max_length=500, help_text="OIDC authorisation endpoint of the platform")
    auth_token_url = models.URLField(max_length=500, help_text="OAuth2 token endpoint (for AGS / NRPS)")
    keyset_url = models.URLField(max_length=500, help_text="The platform's JWKS")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="lti_registrations")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique")]

    def __str__(self):
        return f"{self.name} ({self.issuer}, {self.client_id})"


class PlatformDeployment(models.Model):
    """A deployment id the platform sends; launches naming any other are refused."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI deployment")
        verbose_name_plural = _("LTI deployments")
        constraints = [
            models.UniqueConstraint(fields=["registration", "deployment_id"], name="lti_deployment_unique"),
        ]

    def __str__(self):
        return f"{self.registration.name}: {self.deployment_id}"


class ToolKey(models.Model):
    """An RSA key pair of this tool. The newest signs; it and the one before are published."""

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.kid

    def __repr__(self):  # never the private key, even in a traceback
        return f"<ToolKey {self.kid}>"


class LtiIdentity(models.Model):
    """The LMS user (issuer + sub) behind a local account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities")
    issuer = models.CharField(max_length=500)
    sub = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "sub"], name="lti_identity_unique")]

    def __str__(self):
        return f"{self.issuer} {self.sub} -> {self.user}"


class ConsumedNonce(models.Model):
    """A launch nonce already accepted: the unique constraint is what refuses a replay."""

    issuer = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_once")]


class LtiContext(models.Model):
    """An LMS course section (the launch's context claim) under one deployment, and where its roster is read."""

    deployment = models.ForeignKey(PlatformDeployment, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    memberships_url = models.URLField(max_length=500, blank=True, help_text="NRPS context membership service")
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI context")
        verbose_name_plural = _("LTI contexts")
        constraints = [models.UniqueConstraint(fields=["deployment", "context_id"], name="lti_context_unique")]

    def __str__(self):
        return f"{self.title or self.context_id} ({self.deployment})"


class LtiResourceLink(models.Model):
    """One placement of an assignment in an LMS context, with the AGS endpoint its launches carried."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(max_length=255)
    assignment = models.ForeignKey("courses.Assignment", on_delete=models.CASCADE, related_name="lti_resource_links")
    lineitems_url = models.URLField(max_length=500, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True, help_text="Scores are posted to its /scores")
    ags_scopes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LTI resource link")
        verbose_name_plural = _("LTI resource links")
        constraints = [
            models.UniqueConstraint(fields=["context", "resource_link_id"], name="lti_resource_link_unique"),
        ]

    def __str__(self):
        return f"{self.resource_link_id} -> {self.assignment_id}"


class AgsScoreState(models.TextChoices):
    PENDING = "pending", "Pending · 待发送"
    SENDING = "sending", "Sending · 发送中"
    SENT = "sent", "Sent · 已发送"
    SUPERSEDED = "superseded", "Superseded by a later change · 已被后续更改取代"
    FAILED = "failed", "Refused by the LMS · 被 LMS 拒绝"


class AgsScoreOutbox(models.Model):
    """One score to post over AGS, written in the transaction of the grade change it reports.

    The row, not the Celery message, is the truth: a task claims it by a
    conditional UPDATE (pending -> sending), so a duplicate message sends
    nothing; the sweeper sends again what a lost message left pending. At most
    one row per (link, user) is pending and at most one is sending, so scores
    for one student's line item leave in the order of their changes.
    """

    State = AgsScoreState

    resource_link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="score_outbox")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grade_change = models.ForeignKey("grades.GradeChange", on_delete=models.CASCADE, related_name="+")
    score = models.JSONField(help_text="The AGS Score body, fixed when the change was recorded.")
    state = models.CharField(max_length=16, choices=AgsScoreState.choices, default=AgsScoreState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("AGS score outbox row")
        verbose_name_plural = _("AGS score outbox rows")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_link", "user"], condition=models.Q(state="pending"), name="ags_one_pending_per_link_user"
            ),
            models.UniqueConstraint(
                fields=["resource_link", "user"], condition=models.Q(state="sending"), name="ags_one_sending_per_link_user"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="ags_outbox_due")]

    def __str__(self):
        return f"score for {self.user_id} on link {self.resource_link_id}: {self.state}"
