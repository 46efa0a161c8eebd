import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # admin_client's superuser gets a password; the real hasher's deliberate
    # slowness would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
