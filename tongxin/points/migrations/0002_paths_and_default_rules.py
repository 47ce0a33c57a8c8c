from django.db import migrations

from tongxin.core.migration_ops import binary_collation


def seed_rules(apps, schema_editor):
    """The default rule sets of DOMAIN.md, as rows (the committees edit them afterwards)."""
    from tongxin.points.defaults import install

    install(apps.get_model("points", "RuleSet"), apps.get_model("points", "Rule"), apps.get_model("points", "RuleVersion"))


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [
        binary_collation("points_ruleset", "org_path"),
        binary_collation("points_pointentry", "org_path"),
        binary_collation("points_monthlyscore", "org_path"),
        binary_collation("points_claim", "org_path"),
        binary_collation("points_monthcycle", "org_path"),
        binary_collation("points_objection", "org_path"),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
    ]
