from django.contrib import admin

from tongxin.points.models import RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("name", "audience", "org_path", "base_score", "floor", "publish_days", "rankings")
    readonly_fields = ("org_path",)
