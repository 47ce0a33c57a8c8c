"""Field-level encryption of personal data at rest, and the keyed hash that finds an encrypted value.

- ``EncryptedCharField`` (ID numbers, phones), ``EncryptedJSONField`` and ``EncryptedBinaryField`` (what an
  import job keeps of an uploaded file) store a Fernet token (AES-128-CBC + HMAC-SHA256) made with the
  first key of ``settings.TONGXIN_FIELD_KEYS``; every key of the list decrypts (``MultiFernet``), so a key
  is rotated by putting a new one first, running ``manage.py rotate_field_keys``, then dropping the old one.
- A value no key decrypts raises ``FieldDecryptionError`` (never returns the token as if it were the value).
- ``""`` is stored as ``""`` (a blank phone), NULL as NULL.
- The database cannot compare encrypted values: every lookup on an encrypted field but ``isnull`` and
  ``exact ""`` raises ``EncryptedLookupError``, so a forgotten ``filter(id_number=...)`` fails loudly.
  Exact matches go through ``keyed_hash`` (HMAC-SHA256 under ``settings.TONGXIN_LOOKUP_KEY``), stored
  beside the value (``Person.id_hash``) and searched with e.g. ``Person.objects.with_id_number()``.

Changing TONGXIN_LOOKUP_KEY invalidates every stored hash: run ``manage.py rehash_personal_data`` right after
(it recomputes them from the decrypted values); lookups miss until it has run.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.lookups import Exact, IsNull


class FieldDecryptionError(Exception):
    """A stored value that no key in TONGXIN_FIELD_KEYS decrypts."""


class EncryptedLookupError(TypeError):
    """A database lookup (filter, exclude, get) on an encrypted field, which the database cannot compare."""


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TONGXIN_FIELD_KEYS is empty: set at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "TONGXIN_FIELD_KEYS holds a malformed key: each must be 32 url-safe base64-encoded bytes "
            "(cryptography.fernet.Fernet.generate_key())."
        ) from None


def fernet() -> MultiFernet:
    return _multi_fernet(tuple(settings.TONGXIN_FIELD_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes, where: str = "a value") -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken:
        raise FieldDecryptionError(
            f"Cannot decrypt {where}: no key in TONGXIN_FIELD_KEYS opens it. The keys are probably wrong "
            "(another deployment's, or the key it was written with was removed from the list before "
            "`manage.py rotate_field_keys` had run)."
        ) from None


def encrypt_text(value: str) -> str:
    return encrypt_bytes(value.encode()).decode("ascii") if value else value


def decrypt_text(token: str, where: str = "a value") -> str:
    return decrypt_bytes(token.encode("ascii"), where).decode() if token else token


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` under TONGXIN_LOOKUP_KEY: equal values give equal hashes, and
    without the key nobody can test a guessed number against the stored hashes."""
    return hmac.new(settings.TONGXIN_LOOKUP_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def rotate_token(token: bytes, where: str = "a value") -> bytes:
    """The same plaintext encrypted with the first key (raises FieldDecryptionError if no key opens it)."""
    try:
        return fernet().rotate(token)
    except InvalidToken:
        decrypt_bytes(token, where)  # raises with the explanation
        raise


class _EmptyOnlyExact(Exact):
    """``field=""`` (is the value blank?) is the one comparison an encrypted column can answer."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            _refuse(self.lhs.output_field, "exact")
        return super().get_prep_lookup()


def _refuse(field: models.Field, lookup: str) -> None:
    model = getattr(field, "model", None)
    label = f"{model._meta.label}.{field.name}" if model is not None else field.name
    raise EncryptedLookupError(
        f"{label} is encrypted: the database cannot compare it ('{lookup}'). Look a value up by its keyed "
        "hash (e.g. Person.objects.with_id_number()); only isnull and ='' are allowed."
    )


class _EncryptedLookupsMixin:
    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        _refuse(self, lookup_name)  # type: ignore[arg-type]
        return None

    def get_transform(self, lookup_name: str) -> Any:
        _refuse(self, lookup_name)  # type: ignore[arg-type]
        return None

    def _where(self) -> str:
        model = getattr(self, "model", None)
        name = getattr(self, "name", "")
        return f"{model._meta.label}.{name}" if model is not None else name


class EncryptedCharField(_EncryptedLookupsMixin, models.CharField):
    """A CharField stored encrypted; ``max_length`` bounds the plaintext, the column is text."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value, self._where())


class EncryptedJSONField(_EncryptedLookupsMixin, models.TextField):
    """A JSON document stored as one encrypted text value (no JSON queries: the database sees a token)."""

    _pyi_private_set_type: Any  # for django-stubs: any JSON value, not str
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(decrypt_text(value, self._where()))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)


class EncryptedBinaryField(_EncryptedLookupsMixin, models.BinaryField):
    """Bytes stored encrypted (an uploaded file kept for the import's two passes)."""

    _pyi_private_set_type: bytes | memoryview
    _pyi_private_get_type: bytes

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not prepared:
            value = encrypt_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return decrypt_bytes(bytes(value), self._where())


ENCRYPTED_FIELDS = (EncryptedCharField, EncryptedJSONField, EncryptedBinaryField)


# ----------------------------------------------------------------- rewriting columns (migrations, rotation)


def batched_rows(connection: Any, table: str, columns: Sequence[str], batch: int = 1000) -> Iterator[list[tuple]]:
    """(pk, *columns) of every row of ``table`` by pk, ``batch`` rows at a time (keyset pagination)."""
    qn = connection.ops.quote_name
    select = ", ".join(qn(c) for c in ("id", *columns))
    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"SELECT {select} FROM {qn(table)} ORDER BY {qn('id')} LIMIT %s", [batch])  # noqa: S608
            else:
                cursor.execute(
                    f"SELECT {select} FROM {qn(table)} WHERE {qn('id')} > %s ORDER BY {qn('id')} LIMIT %s",  # noqa: S608
                    [last, batch],
                )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def update_rows(connection: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """``rows``: (pk, *values for columns)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(table)} SET {sets} WHERE {qn('id')} = %s",  # noqa: S608
            [(*values, pk) for pk, *values in rows],
        )


def rewrite_table(
    connection: Any,
    table: str,
    read: Sequence[str],
    write: Sequence[str],
    change: Callable[[tuple], tuple],
    *,
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rewrite ``write`` columns of every row from its ``read`` columns: ``change((pk, *read)) -> values``."""
    done = 0
    for rows in batched_rows(connection, table, read, batch):
        update_rows(connection, table, write, [(row[0], *change(row)) for row in rows])
        done += len(rows)
        if progress is not None:
            progress(len(rows))
    return done
