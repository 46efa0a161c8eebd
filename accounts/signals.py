"""A new password revokes every API token of its user, whatever path changed it.

A signal, not a service: the password changes through Django's own code
(admin's password form, `manage.py changepassword`, `set_password` in a
shell), none of which calls ours. Sessions need nothing: Django already
invalidates a session whose password hash changed.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from accounts.tokens import api_tokens_revoke_all

User = get_user_model()


# Read through __dict__: a row loaded with the password deferred must not
# cost a query here (and an unloaded password has not changed).
@receiver(post_init, sender=User)
def _remember_password_hash(sender, instance, **kwargs):
    instance._password_hash_at_load = instance.__dict__.get("password")


@receiver(post_save, sender=User)
def _revoke_tokens_on_password_change(sender, instance, created, update_fields=None, **kwargs):
    current = instance.__dict__.get("password")
    changed = current != getattr(instance, "_password_hash_at_load", current)
    instance._password_hash_at_load = current
    if created or (update_fields is not None and "password" not in update_fields):
        return
    # Any change of the hash counts, a rehash on a hasher upgrade included:
    # rare, and the login that rehashes issues a fresh token anyway.
    if changed:
        api_tokens_revoke_all(user_id=instance.pk)
