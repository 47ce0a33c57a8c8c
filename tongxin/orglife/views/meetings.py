"""Placeholder until the meetings pages land."""

urlpatterns: list = []
