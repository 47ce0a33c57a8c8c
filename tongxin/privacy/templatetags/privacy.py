"""Panels the people and organisation pages include: the consent flag, consent records, the access file
and anonymisation (``{% load privacy %}``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.privacy import services
from tongxin.privacy.models import Anonymisation, ConsentRecord

register = template.Library()


@register.inclusion_tag("privacy/_person_panel.html", takes_context=True)
def privacy_person_panel(context: template.Context, person: Person) -> dict[str, Any]:
    user = context["request"].user
    today = timezone.localdate()
    minor = services.is_minor(person, today)
    consents = list(ConsentRecord.objects.filter(person=person).order_by("-given_on", "-id"))
    anonymisation = Anonymisation.objects.filter(person=person).first()
    can_change = scope_for(user, CHANGE).covers_path(person.org_path)
    is_self = user.person_id == person.pk
    return {
        "person": person,
        "minor": minor,
        "flagged": minor and person.status == "active" and not any(c.is_valid for c in consents),
        "consents": consents,
        "anonymisation": anonymisation,
        "can_record": can_change and anonymisation is None,
        "can_withdraw": {c.pk for c in consents if c.is_valid and services.may_withdraw(user, c)},
        "can_export": services.may_export(user, person),
        "is_self": is_self,
        "can_anonymise": (
            anonymisation is None and person.status in services.LEFT_STATUSES and services.may_anonymise(user, person)
        ),
        "retention_ends": services.retention_ends(person) if person.status in services.LEFT_STATUSES else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("privacy/_org_badge.html", takes_context=True)
def privacy_org_badge(context: template.Context, org: Organization) -> dict[str, Any]:
    user = context["request"].user
    count = services.minors_lacking_consent(user, org).count()
    return {"org": org, "count": count}
