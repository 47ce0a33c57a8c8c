"""Placeholder until the transfers pages land."""

urlpatterns: list = []
