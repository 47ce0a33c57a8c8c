"""Backup and restore of the whole database (docs/operations.md).

Everything lives in the database, uploaded files included (import files and meeting attachments are
binary columns), so a backup is one file:

- SQLite: ``tongxin-YYYYmmdd-HHMMSS.sqlite3``, a consistent copy made with SQLite's online backup API
  while the application keeps running;
- PostgreSQL: ``tongxin-YYYYmmdd-HHMMSS.dump``, ``pg_dump --format=custom`` of one snapshot.

Beside each a manifest (``.json``) records the row count of every table in that same snapshot and the
file's SHA-256: ``restore`` checks the file against it before touching anything, and the restored counts
against it afterwards. The encrypted columns stay encrypted: a backup is readable only with the field
keys of the installation, which are backed up separately.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _

PREFIX = "tongxin-"
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
NAME_PATTERN = re.compile(r"tongxin-(\d{8}-\d{6})(?:-(\d+))?\.(?:sqlite3|dump)")


class BackupError(Exception):
    """Something an operator must see and fix; the commands turn it into a CommandError."""


@dataclass
class Backup:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def manifest_path(self) -> Path:
        return manifest_path(self.path)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def backup_dir() -> Path:
    return Path(settings.TONGXIN_BACKUP_DIR)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _new_path(directory: Path, vendor: str) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    path = directory / f"{PREFIX}{stamp}{EXTENSIONS[vendor]}"
    n = 1
    while path.exists():
        path = directory / f"{PREFIX}{stamp}-{n}{EXTENSIONS[vendor]}"
        n += 1
    return path


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in EXTENSIONS:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    return vendor


# ---------------------------------------------------------------------------------------------------
# Backup
# ---------------------------------------------------------------------------------------------------


def make_backup(alias: str = "default", directory: Path | None = None) -> Backup:
    """Write a backup of the database ``alias`` into ``directory`` (default: TONGXIN_BACKUP_DIR)."""
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    vendor = _vendor(alias)
    path = _new_path(directory, vendor)
    partial = path.with_name(path.name + ".partial")
    try:
        counts = _backup_sqlite(alias, partial) if vendor == "sqlite" else _backup_postgres(alias, partial)
        partial.chmod(0o600)  # personal data, even if the sensitive columns are encrypted
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "file": path.name,
        "vendor": vendor,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "sha256": sha256(path),
        "counts": counts,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    manifest_path(path).chmod(0o600)
    return Backup(path, counts)


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}  # noqa: S608


def _backup_sqlite(alias: str, target: Path) -> dict[str, int]:
    source = connections[alias]
    source.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        source.connection.backup(dest)  # online: readers and writers may go on meanwhile
        check = dest.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(_("The backup copy failed its integrity check: %(check)s") % {"check": check})
        return _sqlite_counts(dest)  # the copy's own counts: exactly what a restore will bring back
    finally:
        dest.close()


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])  # never on the command line (ps shows it)
    return args, env


def _pg_tool(name: str, alias: str) -> str:
    """The client program, checked to be at least as new as the server (an older pg_dump refuses)."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(_("%(program)s is not installed (package postgresql-client).") % {"program": name})
    output = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    client_major = int(match[1]) if match else 0
    connection = connections[alias]
    connection.ensure_connection()
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    if client_major < server_major:
        raise BackupError(
            _("%(program)s is version %(client)s but the server is %(server)s: install a newer client.")
            % {"program": name, "client": client_major, "server": server_major}
        )
    return program


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, env=env)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": Path(command[0]).name, "error": result.stderr.strip()}
        )
    return result


def _backup_postgres(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    program = _pg_tool("pg_dump", alias)
    args, env = _pg_args(connection.settings_dict)
    # Count the rows and dump in ONE snapshot: the manifest then describes exactly what the file holds.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        _run(
            [program, *args, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
             connection.settings_dict["NAME"]],
            env,
        )  # fmt: skip
    return counts


# ---------------------------------------------------------------------------------------------------
# Listing and retention
# ---------------------------------------------------------------------------------------------------


def list_backups(directory: Path | None = None) -> list[Path]:
    """The backups in ``directory``, oldest first (their names sort by time)."""
    directory = Path(directory or backup_dir())
    if not directory.is_dir():
        return []
    found = [(match, p) for p in directory.iterdir() if (match := NAME_PATTERN.fullmatch(p.name))]
    return [p for match, p in sorted(found, key=lambda item: (item[0][1], int(item[0][2] or 0)))]


def prune(keep: int, directory: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and their manifests); the deleted paths."""
    if keep < 1:
        raise BackupError(_("Keep at least one backup."))
    old = list_backups(directory)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
        manifest_path(path).unlink(missing_ok=True)
    return old


# ---------------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------------


def resolve(name: str | None, directory: Path | None = None) -> Path:
    """A backup file from a path, a name in the backup directory, or (None) the newest there."""
    if name is None:
        backups = list_backups(directory)
        if not backups:
            raise BackupError(_("No backups in %(dir)s.") % {"dir": directory or backup_dir()})
        return backups[-1]
    path = Path(name)
    if not path.exists() and (Path(directory or backup_dir()) / name).exists():
        path = Path(directory or backup_dir()) / name
    if not path.is_file():
        raise BackupError(_("No backup file %(name)s.") % {"name": name})
    return path


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise BackupError(
            _("The manifest of %(name)s is unreadable: %(error)s") % {"name": path.name, "error": exc}
        ) from exc


def check_file(path: Path, alias: str = "default") -> dict[str, Any] | None:
    """Refuse a file that is not a whole backup for this kind of database; the manifest if there is one."""
    vendor = _vendor(alias)
    if path.suffix != EXTENSIONS[vendor]:
        raise BackupError(
            _("%(name)s is not a backup for this database (%(vendor)s backups end in %(ext)s).")
            % {"name": path.name, "vendor": vendor, "ext": EXTENSIONS[vendor]}
        )
    manifest = read_manifest(path)
    if manifest is not None and manifest.get("sha256") != sha256(path):
        raise BackupError(
            _("%(name)s does not match its manifest: the file is damaged or was changed.") % {"name": path.name}
        )
    if vendor == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                check = db.execute("PRAGMA quick_check").fetchone()[0]
                has_migrations = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(
                _("%(name)s is not a readable SQLite database: %(error)s") % {"name": path.name, "error": exc}
            ) from exc
        if check != "ok" or not has_migrations:
            raise BackupError(_("%(name)s is not a whole Tongxin database.") % {"name": path.name})
    else:
        listing = _run([_pg_tool("pg_restore", alias), "--list", str(path)], dict(os.environ)).stdout
        if "TABLE DATA public django_migrations" not in listing:
            raise BackupError(_("%(name)s is not a whole Tongxin database.") % {"name": path.name})
    return manifest


def target_tables(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def restore_backup(path: Path, alias: str = "default", *, force: bool = False) -> dict[str, tuple[int, int]]:
    """Restore ``path`` into the database ``alias``; the tables whose counts differ from the manifest.

    Refuses a database that has tables already unless ``force`` (which replaces everything in it).
    """
    manifest = check_file(path, alias)
    tables = target_tables(alias)
    if tables and not force:
        raise BackupError(
            _("The target database is not empty (%(n)d tables): restoring would replace them. Use --force.")
            % {"n": len(tables)}
        )
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # page by page: the target becomes an exact copy
        finally:
            source.close()
    else:
        program = _pg_tool("pg_restore", alias)
        args, env = _pg_args(connection.settings_dict)
        if tables:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        connection.close()
        _run(
            [program, *args, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
             f"--dbname={connection.settings_dict['NAME']}", str(path)],
            env,
        )  # fmt: skip
    if manifest is None:
        return {}
    now = table_counts(alias)
    expected = manifest["counts"]
    return {
        t: (expected.get(t, 0), now.get(t, 0)) for t in set(expected) | set(now) if expected.get(t, 0) != now.get(t, 0)
    }


def table_counts(alias: str = "default") -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts
