"""CaseRecheck belongs to the cases app; its table (arrests_caserecheck) is left where it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_queue_index'),
        ('arrests', '0006_recheck_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CaseRecheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('decided_priority', models.CharField(help_text='recommended when decided', max_length=30)),
                        ('recommended_priority', models.CharField(help_text='recommended now', max_length=30)),
                        ('decided_outcomes', models.JSONField(help_text='per charge, as recommended when decided')),
                        ('recommended_outcomes', models.JSONField(help_text='per charge, as recommended now')),
                        ('flagged_at', models.DateTimeField()),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('review_note', models.TextField(blank=True, default='')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                        ('decision', models.ForeignKey(help_text='the charging decision in force when the recommendation changed', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.chargingdecision')),
                        ('catalog', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='arrests.catalogversion')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'arrests_caserecheck',
                        'constraints': [models.UniqueConstraint(fields=('case', 'catalog'), name='case_recheck_once_per_catalog')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
