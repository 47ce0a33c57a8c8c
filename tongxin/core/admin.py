from django.contrib import admin

from tongxin.core import rules
from tongxin.core.models import RuleValue


@admin.register(RuleValue)
class RuleValueAdmin(admin.ModelAdmin):
    list_display = ["key", "value"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rules.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rules.clear_cache()
