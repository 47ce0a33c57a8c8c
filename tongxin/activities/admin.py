from django.contrib import admin

from tongxin.activities.models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Partners are a name list (alliances, companies, charities); activities and registrations are written
    through the services only, so they have no admin pages."""

    list_display = ["name", "kind"]
    search_fields = ["name"]
