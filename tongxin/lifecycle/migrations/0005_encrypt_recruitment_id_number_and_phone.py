"""The applicant's ID number and phone encrypted at rest (tongxin.core.crypto); the one-open-application
rule moves to the ID number's keyed hash. Existing rows are encrypted in batches; reversible."""

from django.db import migrations, models

import tongxin.core.crypto
from tongxin.core.crypto import decrypt_text, encrypt_text, keyed_hash, rewrite_table

COLUMNS = ["id_number", "id_hash", "phone"]
OPEN_STAGES = ["applied", "activist", "candidate", "prechecked", "voted", "approved"]


def encrypt(apps, schema_editor):
    def change(row):
        _pk, id_number, phone = row
        id_number = id_number or ""
        return encrypt_text(id_number), keyed_hash(id_number) if id_number else None, encrypt_text(phone or "")

    rewrite_table(schema_editor.connection, "lifecycle_recruitment", ["id_number", "phone"], COLUMNS, change)


def decrypt(apps, schema_editor):
    def change(row):
        _pk, id_number, phone = row
        return decrypt_text(id_number or ""), None, decrypt_text(phone or "")

    rewrite_table(schema_editor.connection, "lifecycle_recruitment", ["id_number", "phone"], COLUMNS, change)


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0004_graduation"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="recruitment",
            name="recruitment_one_open_per_person",
        ),
        migrations.AddField(
            model_name="recruitment",
            name="id_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="recruitment",
            name="id_number",
            field=tongxin.core.crypto.EncryptedCharField(max_length=18, verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="recruitment",
            name="phone",
            field=tongxin.core.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AddConstraint(
            model_name="recruitment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("stage__in", OPEN_STAGES)),
                fields=("id_hash",),
                name="recruitment_one_open_per_person",
            ),
        ),
    ]
