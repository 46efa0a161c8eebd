from django.core.management.base import BaseCommand

from lti.keys import tool_key_rotate


class Command(BaseCommand):
    help = (
        "Make a new LTI signing key. The previous key stays in /lti/jwks/ so platforms that cached it still "
        "verify; --remove-older deletes every key older than that previous one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--remove-older", action="store_true", help="delete keys older than the previous one")

    def handle(self, *args, remove_older, **options):
        key, removed = tool_key_rotate(remove_older=remove_older)
        self.stdout.write(f"new signing key {key.kid}; {removed} old key(s) removed")
