from django.contrib import admin

from tongxin.study.models import Question, StudyCampaign, StudyPeriod


@admin.register(StudyCampaign)
class StudyCampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "audience_statuses", "tiers_enabled")
    readonly_fields = ("org_path",)


@admin.register(StudyPeriod)
class StudyPeriodAdmin(admin.ModelAdmin):
    list_display = ("campaign", "number", "title", "opens_at", "closes_at")
    readonly_fields = ("org_path", "members_counted_at")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("campaign", "kind", "text", "category", "active")
    readonly_fields = ("org_path",)
