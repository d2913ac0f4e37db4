"""Keep each catalog's text beside its digest, so a stored screening can be replayed under it.

Rows stored before texts were kept get the shipped catalog's text only when their digest is the
shipped catalog's (the text then reads back as exactly that catalog); any other row keeps a blank
text, and replay says that catalog's text was not kept.
"""

from typing import Any

from django.db import migrations, models


def fill_shipped_text(apps: Any, schema_editor: Any) -> None:
    from importlib import resources

    from survivors_justice.arrests.catalogs import shipped_digest

    CatalogVersion = apps.get_model("arrests", "CatalogVersion")
    text = resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
    CatalogVersion.objects.filter(digest=shipped_digest(), text="").update(text=text)


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
