"""``{% ask_first question %}``: the question a destructive form asks before it acts, as a hidden field.

The button keeps ``data-confirm`` for the browser's own dialog (static/tongxin/app.js, which adds
``_confirmed=1`` once the user agrees). Without JavaScript the field reaches the server unconfirmed and
:class:`tongxin.core.confirm.AskFirstMiddleware` answers with a page that asks the same question, so a
destructive action never happens in one tap. ``when="name=value"`` (or ``when="name"``) limits the question
to the button that submits that name (a form whose other button is harmless: publish beside reject)::

    {% load ask_first %}
    <form method="post" ...>{% csrf_token %}{% ask_first _("Cancel this meeting?") %}
      <button type="submit" data-confirm="...">...</button></form>
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from tongxin.core.confirm import ASK_FIELD

register = template.Library()


@register.simple_tag
def ask_first(question: str, when: str = "") -> str:
    name = f"{ASK_FIELD}:{when}" if when else ASK_FIELD
    return format_html('<input type="hidden" name="{}" value="{}">', name, question)
