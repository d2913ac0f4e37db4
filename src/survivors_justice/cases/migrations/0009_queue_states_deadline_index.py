"""The intake queue's default order over both of its states ("Either" status): an ordered walk of
this partial index instead of sorting every case of both states (bench/web.py, 50,000 cases in
intake: PostgreSQL's part of the page 43 ms -> see docs/benchmarks.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_queue_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ["intake", "override_pending"])),
                fields=["readiness_deadline", "id"],
                name="cases_case_queue_deadline",
            ),
        ),
    ]
