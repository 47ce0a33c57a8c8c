"""Organisational life pages, one module per part; each module exports ``urlpatterns`` (see ../urls.py)."""
