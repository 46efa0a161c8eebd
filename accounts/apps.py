from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts · 账号"

    def ready(self):
        # Connects the password-change receiver (see accounts.signals for why a signal).
        from accounts import signals  # noqa: F401
