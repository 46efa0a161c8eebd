"""Reference checks record what they checked (a fingerprint), so an edit makes them out of date.

A check made before this migration checked something nobody recorded: it gets
the fingerprint "unknown", which no exercise has, so it no longer counts when an
exercise is to be published (run it again). Publication already made stays:
the rule is about the act of publishing, and nothing here touches assignments.
"""

from django.db import migrations, models

UNKNOWN_FINGERPRINT = "unknown"


class Migration(migrations.Migration):
    dependencies = [("grader", "0005_test_result_visible_data")]

    operations = [
        migrations.AddField(
            model_name="referencecheck",
            name="fingerprint",
            field=models.CharField(
                blank=True,
                default=UNKNOWN_FINGERPRINT,
                help_text="Hash of the reference solution, the known-wrong solutions and the suite version checked; "
                "a check whose fingerprint is not the exercise's current one is out of date.",
                max_length=64,
            ),
            preserve_default=False,
        ),
    ]
