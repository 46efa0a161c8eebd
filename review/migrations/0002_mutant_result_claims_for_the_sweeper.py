"""Mutant rows count their claims and remember when their message was sent, for the mutant sweeper.

Rows already there: no claim counted (each may be claimed GRADING_MAX_ATTEMPTS
times from now on) and sent when their report was made, which is when their
message went out; a row of a report lost before this migration is then sent
again by the first sweep.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def queued_when_the_report_was_made(apps, schema_editor):
    MutantResult = apps.get_model("review", "MutantResult")
    MutationReport = apps.get_model("review", "MutationReport")
    MutantResult.objects.update(
        queued_at=Subquery(MutationReport.objects.filter(pk=OuterRef("report_id")).values("created_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("review", "0001_reports_mutation_and_similarity")]

    operations = [
        migrations.AddField(
            model_name="mutantresult",
            name="claim_count",
            field=models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed this row."),
        ),
        migrations.AddField(
            model_name="mutantresult",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(queued_when_the_report_was_made, migrations.RunPython.noop),
    ]
