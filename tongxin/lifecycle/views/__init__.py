"""Lifecycle pages, one module per workflow; each module exports ``urlpatterns`` (see ../urls.py)."""
