"""Placeholder until the recommendation pages land."""

urlpatterns: list = []
