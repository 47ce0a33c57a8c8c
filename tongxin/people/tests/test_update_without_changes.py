from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data, years_ago
from tongxin.people.services import create_person, update_person


def test_saving_a_person_unchanged_leaves_no_change_log_row(tree, users):
    person = tree.people.a1
    before = ChangeLog.objects.count()
    update_person(users.secretary_a, person, {})
    assert ChangeLog.objects.count() == before
    update_person(users.secretary_a, person, {"name": "张甲壹"})
    assert ChangeLog.objects.count() == before + 1
    row = ChangeLog.objects.order_by("-id").first()
    assert row is not None
    assert row.before == {"name": "张甲一"} and row.after == {"name": "张甲壹"}


def test_oldest_first_sort_lists_the_earliest_birth_date_first(tree, users, client_for):
    for age in (17, 26, 22):
        create_person(None, person_data(tree.branch_c, birth=years_ago(age)))
    response = client_for(users.district).get("/api/people/?sort=oldest")
    births = [row["birth_date"] for row in response.json()["results"]]
    assert len(births) == 8
    assert births == sorted(births)
    assert births[0] == years_ago(26).isoformat()
