"""Who marked a recheck reviewed, when, with what note; and per-charge ``decided_outcomes``.

The first resolve runs stored ``decided_outcomes`` as ``[case priority, [outcome per charge]]``
instead of the per-charge list its help text (and ``recommended_outcomes``) has; such rows get
their per-charge list.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def per_charge_outcomes(apps: Any, schema_editor: Any) -> None:
    CaseRecheck = apps.get_model("arrests", "CaseRecheck")
    for row in CaseRecheck.objects.only("pk", "decided_outcomes").iterator():
        value = row.decided_outcomes
        if (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and isinstance(value[1], list)
        ):
            CaseRecheck.objects.filter(pk=row.pk).update(decided_outcomes=value[1])


class Migration(migrations.Migration):

    dependencies = [
        ('arrests', '0005_catalog_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='caserecheck',
            name='review_note',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='caserecheck',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='caserecheck',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(per_charge_outcomes, migrations.RunPython.noop),
    ]
