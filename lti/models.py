from django.conf import settings
from django.db import models


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
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique")]

    def __str__(self):
        return f"{self.name} ({self.issuer}, {self.client_id})"


class PlatformDeployment(models.Model):
    """A deployment id the platform sends; launches naming any other are refused."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
