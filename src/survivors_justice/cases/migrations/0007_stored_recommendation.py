"""Keep each case's recommended outcome on the case (docs/decisions.md, "Store the recommended
outcome on the case"): the case-level outcome, the charge outcomes (RecommendedOutcome rows), the
policy and date they hold for, the CPL 30.30 readiness deadline and trafficking-queue membership.

The data step fills them for every case with ``stored_recommendation.refresh``, in batches of
2,000 ids (one query per batch for the cases, their charges and the trafficking queue, one bulk
update and one bulk insert), on SQLite and PostgreSQL alike; a case whose policy later changes is
refreshed by ``sj cases refresh``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    # The writer reads only named columns, so later migrations of these tables do not break it.
    from survivors_justice.cases.stored_recommendation import refresh

    refresh(everything=True)


class Migration(migrations.Migration):

    dependencies = [
        ('arrests', '0007_caserecheck_moved_to_cases'),
        ('cases', '0006_bind_ciphertexts_to_rows'),
        ('screening', '0003_decision_catalog'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RecommendedOutcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(max_length=30)),
            ],
        ),
        migrations.AddField(
            model_name='case',
            name='readiness_deadline',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='recommended_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='recommended_policy',
            field=models.CharField(blank=True, db_default='', default='', max_length=120),
        ),
        migrations.AddField(
            model_name='case',
            name='recommended_priority',
            field=models.CharField(blank=True, db_default='', default='', max_length=30),
        ),
        migrations.AddField(
            model_name='case',
            name='trafficking_queue',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['state', 'recommended_priority'], name='cases_case_state_rec_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('trafficking_queue', True)), fields=['readiness_deadline', 'id'], name='cases_case_trafficking_idx'),
        ),
        migrations.AddField(
            model_name='recommendedoutcome',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommended_with', to='cases.case'),
        ),
        migrations.AddIndex(
            model_name='recommendedoutcome',
            index=models.Index(fields=['outcome', 'case'], name='cases_recommended_outcome'),
        ),
        migrations.AddConstraint(
            model_name='recommendedoutcome',
            constraint=models.UniqueConstraint(fields=('case', 'outcome'), name='cases_recommended_unique'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
