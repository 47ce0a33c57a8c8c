"""With several app processes the counters that guard the typed codes live in Redis (``TONGXIN_CACHE_URL``):
wrong codes typed through one process count in another, so ten wrong guesses spread over two gunicorn workers
still stop the eleventh. Skipped when no Redis answers on 127.0.0.1:6379."""

from __future__ import annotations

import datetime
import socket
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import Registration
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.exceptions import DomainError

REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379"),
    pytest.mark.usefixtures("english"),
]


@pytest.fixture
def shared(settings):
    prefix = f"tongxin-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS,
                                   "KEY_PREFIX": prefix}}  # fmt: skip
    other_process = RedisCache(REDIS, {"KEY_PREFIX": prefix})  # what another worker's cache connection sees
    yield other_process
    cache.clear()


def test_wrong_codes_typed_in_one_process_count_in_another(tree, users, shared):
    assert isinstance(caches["default"], RedisCache)  # the settings above are in force
    activity = make_activity(tree, hours_ago=1, length_hours=3)
    registration = services.register(users.member, activity)
    services.confirm(users.secretary_a, registration)
    right = services.current_code(activity, services.CHECK_IN)[1]
    earlier = services.current_code(activity, services.CHECK_IN, timezone.now() - datetime.timedelta(seconds=30))[1]
    guesses = [f"{n:06d}" for n in range(100) if f"{n:06d}" not in (right, earlier)]
    for guess in guesses[: services.WRONG_CODES_MAX]:
        with pytest.raises(DomainError, match="wrong or has expired"):
            services.check_in(users.member, activity, guess)
    key = f"activities:wrong-codes:{users.member.pk}:{activity.pk}"
    assert shared.get(key) == services.WRONG_CODES_MAX  # counted where every process looks
    with pytest.raises(DomainError, match="Too many wrong codes"):
        services.check_in(users.member, activity, right)
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None
