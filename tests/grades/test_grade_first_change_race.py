"""Two first changes of one grade at the same moment: both land, one row, no error.

With no grade row yet there is nothing to lock: both transactions compute and
INSERT, and the second's INSERT would collide with the first's. Seen in CI as a
duplicate-delivery test's grading failing once with the unique violation and
being retried (a second claim on the run).
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from grades.models import Grade, GradeChange
from grades.services import grade_recompute

pytestmark = pytest.mark.django_db(transaction=True)


def _someone_waits_on_a_lock(own_pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> %s", [own_pid]
        )
        return cursor.fetchone()[0] > 0


def test_the_second_of_two_first_changes_waits_then_finds_the_first_s_row(alice, assignment):
    assert not Grade.objects.filter(user=alice, assignment=assignment).exists()
    first_holds, first_may_commit = threading.Event(), threading.Event()
    results, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = grade_recompute(student=alice.pk, assignment=assignment, cause="graded")
                first_holds.set()
                first_may_commit.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            first_holds.set()
            connections.close_all()

    def second():
        try:
            results["second"] = grade_recompute(student=alice.pk, assignment=assignment, cause="graded")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_holds.wait(30)
    two = threading.Thread(target=second)
    two.start()
    # Release the first only once the second is really blocked behind it in PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while not _someone_waits_on_a_lock(own_pid):
        assert time.monotonic() < deadline, "the second change never waited for the first"
        time.sleep(0.01)
    first_may_commit.set()
    one.join(30)
    two.join(30)

    assert errors == []
    grade = Grade.objects.get(user=alice, assignment=assignment)
    assert results["first"].pk == results["second"].pk == grade.pk
    # The second found nothing new to say: one change, the first's.
    assert GradeChange.objects.filter(grade=grade).count() == 1
