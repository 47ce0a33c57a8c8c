"""ID numbers and phones encrypted at rest (tongxin.core.crypto), with their keyed hashes for lookups.

Existing rows are encrypted in batches; the uniqueness of the ID number moves to its hash. Reversible
(decrypts back), with the same keys.
"""

from django.db import migrations, models

import tongxin.core.crypto
from tongxin.core.crypto import decrypt_text, encrypt_text, keyed_hash, rewrite_table

COLUMNS = ["id_number", "id_hash", "phone", "phone_hash"]


def encrypt(apps, schema_editor):
    def change(row):
        _pk, id_number, phone = row
        id_number, phone = id_number or "", phone or ""
        return (encrypt_text(id_number), keyed_hash(id_number) if id_number else None,
                encrypt_text(phone), keyed_hash(phone) if phone else "")  # fmt: skip

    rewrite_table(schema_editor.connection, "people_person", ["id_number", "phone"], COLUMNS, change)


def decrypt(apps, schema_editor):
    def change(row):
        _pk, id_number, phone = row
        return decrypt_text(id_number or ""), None, decrypt_text(phone or ""), ""

    rewrite_table(schema_editor.connection, "people_person", ["id_number", "phone"], COLUMNS, change)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_alter_membership_end_reason_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=tongxin.core.crypto.EncryptedCharField(max_length=18, verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=tongxin.core.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
