"""AccessLog: the LOOKUP action (a lookup by ID number, counted per user and hour) and the index that counts them."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_encrypt_import_files"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="action",
            field=models.CharField(
                choices=[("reveal", "Revealed"), ("export", "Exported"), ("lookup", "Looked up by ID number")],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(fields=["actor", "action", "created_at"], name="accesslog_actor_action_idx"),
        ),
    ]
