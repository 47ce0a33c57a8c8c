"""Placeholder until the board pages land."""

urlpatterns: list = []
