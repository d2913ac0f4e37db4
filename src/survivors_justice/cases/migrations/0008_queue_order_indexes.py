"""Indexes for the intake queue's default order (state, CPL 30.30 deadline, id) and for finding
stale stored recommendations per state (bench/queue_search.py: plain queue over 50,000 cases in
intake, 59 ms -> 0.5 ms of PostgreSQL's time)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_stored_recommendation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["state", "readiness_deadline", "id"], name="cases_case_state_deadline"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["state", "recommended_policy", "recommended_on"], name="cases_case_state_policy"),
        ),
    ]
