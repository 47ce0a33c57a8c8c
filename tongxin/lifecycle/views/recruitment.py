"""Placeholder until the recruitment pages land."""

urlpatterns: list = []
