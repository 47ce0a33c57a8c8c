"""The development environment file that ``make run`` leaves in ``var/dev.env``.

``make run`` writes it once (``python -m tongxin.devenv``: a fresh secret key, field key and lookup key,
``TONGXIN_DEBUG=1``, ``TONGXIN_ADMIN_2FA=0``) and never overwrites it: the keys encrypt the demo database's
ID numbers and phones. ``manage.py`` reads it when it exists (``runserver`` included), so
every ``manage.py`` command of the README works in the same checkout with nothing exported.

A deployment is not touched by it: the file is ignored whenever the environment sets its own
``TONGXIN_SECRET_KEY`` (production, ``make test``, ``make bench``), and otherwise it only fills in the
variables the environment does not set. ``var/`` is git-ignored; a clean clone has no such file.
``tongxin/wsgi.py`` and ``asgi.py`` do not read it: an application server started without keys must refuse to
start, not fall back to a development file left in the checkout (``runserver`` is served by ``manage.py``).
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

DEV_ENV_FILE = Path(__file__).resolve().parent.parent / "var" / "dev.env"
# The keys the settings fall back to with DEBUG (tongxin/settings.py): a demo database made before the file
# existed was encrypted with them, and fresh keys could not read it.
BUILT_IN_FIELD_KEY = "aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="
BUILT_IN_LOOKUP_KEY = "insecure-development-lookup-key"


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines; blank lines and ``#`` comments skipped, no quoting or expansion."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{path}:{number}: expected NAME=value")
        values[name.strip()] = value.strip()
    return values


def load_dev_env(path: Path = DEV_ENV_FILE) -> bool:
    """Fill ``os.environ`` from the development file, when it exists and the environment configures no
    deployment of its own (no ``TONGXIN_SECRET_KEY``). Variables already set win. Returns whether it was read."""
    if os.environ.get("TONGXIN_SECRET_KEY") or not path.is_file():
        return False
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
    return True


def dev_env_text(*, existing_database: bool) -> str:
    if existing_database:
        field_key, lookup_key = BUILT_IN_FIELD_KEY, BUILT_IN_LOOKUP_KEY
        note = "# The database was made before this file, with the built-in development keys: kept to read it.\n"
    else:
        field_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        lookup_key = secrets.token_urlsafe(40)
        note = ""
    return (
        "# Development settings written once by `make run` (tongxin/devenv.py); read by manage.py when the\n"
        "# environment sets no TONGXIN_SECRET_KEY. Never used in production. Delete var/ to start afresh.\n"
        f"{note}"
        f"TONGXIN_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"TONGXIN_FIELD_KEYS={field_key}\n"
        f"TONGXIN_LOOKUP_KEY={lookup_key}\n"
        "TONGXIN_DEBUG=1\n"
        "# The demo's administrators log in without an authenticator app (production keeps the step on).\n"
        "TONGXIN_ADMIN_2FA=0\n"
    )


def write_dev_env(path: Path = DEV_ENV_FILE) -> bool:
    """Create the file (readable by its owner only) unless it exists. Returns whether it was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing_database = (path.parent / "tongxin.sqlite3").exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(dev_env_text(existing_database=existing_database))
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV_ENV_FILE
    if write_dev_env(target):
        print(f"Wrote {target} (development keys; manage.py reads it)")
