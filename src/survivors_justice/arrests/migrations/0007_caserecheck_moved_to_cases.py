"""CaseRecheck moved to the cases app (state only: the table stays, now owned by cases)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('arrests', '0006_recheck_review'),
        ('cases', '0004_caserecheck_moved_from_arrests'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CaseRecheck')],
            database_operations=[],
        ),
    ]
