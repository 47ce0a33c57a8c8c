"""``actor_name``: the person's name of an account, never its login name (``tongxin.core.actors``)."""

from __future__ import annotations

from typing import Any

from django import template

from tongxin.core.actors import actor_name as _actor_name

register = template.Library()


@register.filter
def actor_name(user: Any) -> str:
    return _actor_name(user)
