"""An import job's file and check report (which quotes cells, ID numbers among them) encrypted at rest
(tongxin.core.crypto). Existing rows are encrypted in batches; reversible."""

from django.db import migrations

import tongxin.core.crypto
from tongxin.core.crypto import decrypt_bytes, decrypt_text, encrypt_bytes, encrypt_text, rewrite_table


def encrypt(apps, schema_editor):
    def change(row):
        _pk, content, report = row
        return (encrypt_bytes(bytes(content)) if content is not None else None,
                encrypt_text(report) if report is not None else None)  # fmt: skip

    rewrite_table(schema_editor.connection, "core_importjob", ["content", "report"], ["content", "report"], change,
                  batch=20)  # fmt: skip


def decrypt(apps, schema_editor):
    def change(row):
        _pk, content, report = row
        return (decrypt_bytes(bytes(content)) if content is not None else None,
                decrypt_text(report) if report is not None else None)  # fmt: skip

    rewrite_table(schema_editor.connection, "core_importjob", ["content", "report"], ["content", "report"], change,
                  batch=20)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_notification"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="content",
            field=tongxin.core.crypto.EncryptedBinaryField(verbose_name="file content"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="report",
            field=tongxin.core.crypto.EncryptedJSONField(blank=True, null=True, verbose_name="check report"),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
