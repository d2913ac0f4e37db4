"""Bind every personal ciphertext to its table, column and row; encrypt sexual orientation and
gender identity (empty now means "not recorded"); text limits on the decision's free text.

The data step reads the old unbound ``v1`` values (the only place that may) and plaintext, and
writes ``v2`` values whose associated data is ``<table>.<column>#<id>``. Batches of 1,000 rows
in id order; rows whose personal columns are all empty are not read.
"""

from django.db import migrations

import survivors_justice.fields
from survivors_justice import crypto

PERSONAL = {
    "person": ("given_name", "family_name", "date_of_birth", "address", "phone", "email",
               "narrative", "sexual_orientation", "gender_identity"),
    "chargingdecision": ("reason_text", "review_note", "reopen_reason"),
    "casefact": ("note",),
    "chargeamendment": ("reason",),
}
BATCH = 1000


def bind_to_rows(apps, schema_editor):
    connection = schema_editor.connection
    q = connection.ops.quote_name
    for model_name, names in PERSONAL.items():
        model = apps.get_model("cases", model_name)
        table, pk = model._meta.db_table, model._meta.pk.column
        columns = [model._meta.get_field(n).column for n in names]
        with connection.cursor() as cursor:
            if model_name == "person":
                for column in ("sexual_orientation", "gender_identity"):
                    cursor.execute(
                        f"UPDATE {q(table)} SET {q(column)} = '' WHERE {q(column)} = %s",  # noqa: S608 (model names)
                        ["not_recorded"],
                    )
            some = " OR ".join(f"{q(c)} <> ''" for c in columns)
            select = (
                f"SELECT {q(pk)}, {', '.join(q(c) for c in columns)} FROM {q(table)} "  # noqa: S608
                f"WHERE {q(pk)} > %s AND ({some}) ORDER BY {q(pk)} LIMIT {BATCH}"
            )
            last = 0
            while True:
                cursor.execute(select, [last])
                rows = cursor.fetchall()
                if not rows:
                    break
                for row_id, *values in rows:
                    fresh = {}
                    for column, stored in zip(columns, values, strict=True):
                        if not stored:
                            continue
                        plaintext = crypto.decrypt(str(stored), legacy=True)
                        context = crypto.row_context(table, column, row_id)
                        fresh[column] = crypto.encrypt(plaintext, context=context)
                    sets = ", ".join(f"{q(c)} = %s" for c in fresh)
                    cursor.execute(
                        f"UPDATE {q(table)} SET {sets} WHERE {q(pk)} = %s",  # noqa: S608
                        [*fresh.values(), row_id],
                    )
                last = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_facts_followups_departures"),
    ]

    operations = [
        migrations.AlterField(
            model_name="chargingdecision",
            name="reopen_reason",
            field=survivors_justice.fields.PersonalTextField(blank=True, default="", max_length=2000),
        ),
        migrations.AlterField(
            model_name="chargingdecision",
            name="reason_text",
            field=survivors_justice.fields.PersonalTextField(blank=True, default="", max_length=4000),
        ),
        migrations.AlterField(
            model_name="chargingdecision",
            name="review_note",
            field=survivors_justice.fields.PersonalTextField(blank=True, default="", max_length=2000),
        ),
        migrations.AlterField(
            model_name="person",
            name="gender_identity",
            field=survivors_justice.fields.PersonalTextField(blank=True, default="", help_text="self-reported only; empty: not recorded"),
        ),
        migrations.AlterField(
            model_name="person",
            name="sexual_orientation",
            field=survivors_justice.fields.PersonalTextField(blank=True, default="", help_text="self-reported only; empty: not recorded"),
        ),
        migrations.RunPython(bind_to_rows, migrations.RunPython.noop, elidable=False),
    ]
