"""Placeholder until the checklists pages land."""

urlpatterns: list = []
