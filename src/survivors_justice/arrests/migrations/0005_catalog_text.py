"""Keep each catalog's text beside its digest, so a stored screening can be replayed under it.

Rows stored before texts were kept get the shipped catalog's text only when their digest is the
shipped catalog's (the text then reads back as exactly that catalog); any other row keeps a blank
text, and replay says that catalog's text was not kept.
"""

from typing import Any

from django.db import migrations, models


def fill_shipped_text(apps: Any, schema_editor: Any) -> None:
    from survivors_justice.arrests.catalogs import shipped_digest, shipped_text

    CatalogVersion = apps.get_model("arrests", "CatalogVersion")
    CatalogVersion.objects.filter(digest=shipped_digest(), text="").update(text=shipped_text())


class Migration(migrations.Migration):

    dependencies = [
        ('arrests', '0004_catalog_versions_and_rechecks'),
    ]

    operations = [
        migrations.AddField(
            model_name='catalogversion',
            name='text',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.RunPython(fill_shipped_text, migrations.RunPython.noop),
    ]
