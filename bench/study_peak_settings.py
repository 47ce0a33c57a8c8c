"""Settings of the app bench/study_peak.py serves under gunicorn: the project's, with a URLconf that adds the
trivial baseline view (``study_peak_urls``)."""

from tongxin.settings import *  # noqa: F403  (the project's settings, one line changed)

ROOT_URLCONF = "study_peak_urls"
