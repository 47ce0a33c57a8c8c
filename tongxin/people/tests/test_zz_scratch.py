import time
import pytest
from tongxin.people.forms import PersonForm
from tongxin.people.demo import build_demo
from tongxin.people.models import Person


def test_form_maxlen(users, tree):
    f = PersonForm(user=users.district)
    print(f.fields["id_number"].validators)


def test_time_demo(db):
    t = time.monotonic()
    r = build_demo()
    print("build", time.monotonic() - t, r.people, r.organizations)
    t = time.monotonic()
    names = list(Person.objects.order_by("id").values_list("name", flat=True)[:20])
    print(names)
