"""The grade change sequence: one number per change, increasing in commit order.

A PostgreSQL sequence alone hands out numbers in the order transactions ask,
not the order they commit: a feed reader paging "after 41" could see 42 commit
before 41 and skip 41 for ever. So the number is taken under a transaction-level
advisory lock that is held until commit: changes to grades commit one at a time,
in the order of their numbers. The lock is taken as the last step of the
changing transaction, so it is held for one INSERT/UPDATE, not for a grading.
On SQLite (one writer at a time anyway) a counter row does the same job.
"""

from django.db import connection

from grades.models import GradeSequenceCounter

SEQUENCE_NAME = "grades_change_seq"
# Any constant no other part of the service uses as an advisory lock key.
_ADVISORY_LOCK_KEY = 0x67726164  # "grad"


def grade_sequence_next() -> int:
    """The next change number. Call inside the transaction that makes the change."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
            cursor.execute("SELECT nextval(%s)", [SEQUENCE_NAME])
            return cursor.fetchone()[0]
    counter, _ = GradeSequenceCounter.objects.select_for_update().get_or_create(pk=1)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value
