"""Settings of the test suite: pytest-django loads this module (``DJANGO_SETTINGS_MODULE`` in pyproject.toml).

It says "this is the test suite" explicitly, with ``TONGXIN_TESTING=1``, and then reads the ordinary settings:
with it they accept missing keys (fixed insecure ones stand in) and run tasks inline. Nothing else differs,
so the tests exercise the production settings.
"""

import os

os.environ["TONGXIN_TESTING"] = "1"

from tongxin.settings import *  # noqa: F403
