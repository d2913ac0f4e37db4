"""Move every TOTP secret out of django-otp's plain hex column into an encrypted one."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import survivors_justice.fields


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    secret_model = apps.get_model("accounts", "TOTPSecret")
    for device in device_model.objects.exclude(key="").order_by("pk").iterator():
        # PersonalTextField encrypts on write.
        secret_model.objects.update_or_create(device_id=device.pk, defaults={"key": device.key})
        device_model.objects.filter(pk=device.pk).update(key="")


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    secret_model = apps.get_model("accounts", "TOTPSecret")
    for secret in secret_model.objects.order_by("pk").iterator():
        device_model.objects.filter(pk=secret.device_id).update(key=secret.key)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='TOTPSecret',
            fields=[
                ('device', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='sj_secret', serialize=False, to='otp_totp.totpdevice')),
                ('key', survivors_justice.fields.PersonalTextField(blank=True, default='', help_text='The hex-encoded secret, encrypted (v1:<key id>:...).')),
            ],
        ),
        migrations.CreateModel(
            name='AuthenticatorDevice',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('otp_totp.totpdevice',),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
