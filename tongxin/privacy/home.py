"""The secretary's workbench card of the privacy app: minors of her subtrees without consent (one COUNT)."""

from __future__ import annotations

from typing import Any

from tongxin.privacy.services import minors_lacking_consent


def minors_without_consent(user: Any) -> int:
    return minors_lacking_consent(user).order_by().count()
