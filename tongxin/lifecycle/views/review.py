"""Placeholder until the review pages land."""

urlpatterns: list = []
