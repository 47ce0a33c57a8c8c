"""Placeholder until the ageout pages land."""

urlpatterns: list = []
