"""The settings read the environment strictly: a typo is an error naming the variable, never a silent default;
and the development file of ``make run`` fills in only what the environment leaves unset."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongxin.devenv import dev_env_text, load_dev_env, read_env_file, write_dev_env
from tongxin.settings import env_bool, env_choice, env_int, env_list


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " on "])
def test_yes_words_are_true(monkeypatch, value):
    monkeypatch.setenv("TONGXIN_HTTPS", value)
    assert env_bool("TONGXIN_HTTPS") is True


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF"])
def test_no_words_are_false(monkeypatch, value):
    monkeypatch.setenv("TONGXIN_HTTPS", value)
    assert env_bool("TONGXIN_HTTPS", default=True) is False


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_or_empty_is_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("TONGXIN_HTTPS", raising=False)
    else:
        monkeypatch.setenv("TONGXIN_HTTPS", value)
    assert env_bool("TONGXIN_HTTPS", default=True) is True
    assert env_bool("TONGXIN_HTTPS", default=False) is False


@pytest.mark.parametrize("typo", ["ture", "flase", "2", "y", "enabled"])
def test_a_yes_no_typo_is_an_error_naming_the_variable_and_the_accepted_values(monkeypatch, typo):
    monkeypatch.setenv("TONGXIN_HTTPS", typo)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("TONGXIN_HTTPS")
    message = str(refused.value)
    assert f"TONGXIN_HTTPS='{typo}'" in message
    for word in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        assert word in message


def test_a_whole_number_is_read_within_its_bounds(monkeypatch):
    monkeypatch.setenv("TONGXIN_PAGE_SIZE", " 25 ")
    assert env_int("TONGXIN_PAGE_SIZE", 50, min_value=1, max_value=1000) == 25
    monkeypatch.delenv("TONGXIN_PAGE_SIZE")
    assert env_int("TONGXIN_PAGE_SIZE", 50, min_value=1, max_value=1000) == 50


@pytest.mark.parametrize("typo", ["5O", "1e3", "30 minutes", "2.5"])
def test_a_number_typo_is_an_error_naming_the_variable(monkeypatch, typo):
    monkeypatch.setenv("TONGXIN_LOCKOUT_MINUTES", typo)
    with pytest.raises(ImproperlyConfigured, match=r"TONGXIN_LOCKOUT_MINUTES=.* is not a whole number"):
        env_int("TONGXIN_LOCKOUT_MINUTES", 30, min_value=1)


@pytest.mark.parametrize("value", ["0", "-5", "1001"])
def test_a_number_out_of_bounds_is_an_error_saying_the_range(monkeypatch, value):
    monkeypatch.setenv("TONGXIN_PAGE_SIZE", value)
    with pytest.raises(ImproperlyConfigured, match=r"TONGXIN_PAGE_SIZE=-?\d+ is out of range: .* 1\.\.1000"):
        env_int("TONGXIN_PAGE_SIZE", 50, min_value=1, max_value=1000)


def test_a_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("TONGXIN_ALLOWED_HOSTS", " a.example.cn, ,b.example.cn,")
    assert env_list("TONGXIN_ALLOWED_HOSTS") == ["a.example.cn", "b.example.cn"]
    monkeypatch.delenv("TONGXIN_ALLOWED_HOSTS")
    assert env_list("TONGXIN_ALLOWED_HOSTS", "x,y") == ["x", "y"]


def test_a_choice_outside_the_list_is_an_error(monkeypatch):
    monkeypatch.setenv("TONGXIN_LOG_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="TONGXIN_LOG_FORMAT='xml' is not one of: json, text"):
        env_choice("TONGXIN_LOG_FORMAT", "json", ("json", "text"))


def test_the_suite_is_detected_by_its_explicit_setting():
    """pytest-django loads tongxin/settings_test.py, which sets TONGXIN_TESTING; nothing sniffs sys.modules."""
    assert settings.TESTING is True
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"


def test_manage_py_refuses_to_start_on_a_typo():
    """The whole chain: a typo in a deployment's environment stops ``manage.py`` with the variable named."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(TONGXIN_SECRET_KEY="x" * 50, TONGXIN_FIELD_KEYS=dev_field_key(), TONGXIN_LOOKUP_KEY="y" * 40)
    env["TONGXIN_HTTPS"] = "ture"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: TONGXIN_HTTPS='ture' is not a yes/no value" in result.stderr


def test_behind_a_proxy_the_rate_limits_count_the_address_the_proxy_gives():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(TONGXIN_SECRET_KEY="x" * 50, TONGXIN_FIELD_KEYS=dev_field_key(), TONGXIN_LOOKUP_KEY="y" * 40)
    show = "from django.conf import settings; print(getattr(settings, 'RATELIMIT_IP_META_KEY', None))"
    seen = []
    for behind in ("0", "1"):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", show], cwd=settings.BASE_DIR,
            env={**env, "TONGXIN_BEHIND_PROXY": behind}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        seen.append(result.stdout.strip().splitlines()[-1])
    assert seen == ["None", "tongxin.core.client_address.behind_proxy"]


def dev_field_key() -> str:
    return read_text_value(dev_env_text(existing_database=False), "TONGXIN_FIELD_KEYS")


def read_text_value(text: str, name: str) -> str:
    return next(line.split("=", 1)[1] for line in text.splitlines() if line.startswith(name + "="))


# --- var/dev.env (make run) -------------------------------------------------------------------------------


def test_the_dev_file_is_written_once_with_fresh_keys_and_never_overwritten(tmp_path):
    path = tmp_path / "var" / "dev.env"
    assert write_dev_env(path) is True
    first = read_env_file(path)
    assert first["TONGXIN_DEBUG"] == "1" and first["TONGXIN_ADMIN_2FA"] == "0"
    assert len(first["TONGXIN_SECRET_KEY"]) >= 50 and first["TONGXIN_LOOKUP_KEY"]
    from cryptography.fernet import Fernet

    Fernet(first["TONGXIN_FIELD_KEYS"])  # a valid key
    assert path.stat().st_mode & 0o077 == 0  # the owner's only
    assert write_dev_env(path) is False
    assert read_env_file(path) == first


def test_the_dev_file_keeps_the_built_in_keys_for_a_database_made_before_it(tmp_path):
    (tmp_path / "tongxin.sqlite3").write_bytes(b"")
    write_dev_env(tmp_path / "dev.env")
    values = read_env_file(tmp_path / "dev.env")
    assert values["TONGXIN_FIELD_KEYS"] == "aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="
    assert values["TONGXIN_LOOKUP_KEY"] == "insecure-development-lookup-key"


def test_the_dev_file_fills_in_only_what_the_environment_leaves_unset(tmp_path, monkeypatch):
    path = tmp_path / "dev.env"
    path.write_text("# a comment\n\nTONGXIN_DEBUG=1\nTONGXIN_ADMIN_2FA=0\nTONGXIN_LOOKUP_KEY=from-file\n")
    for name in ("TONGXIN_SECRET_KEY", "TONGXIN_DEBUG", "TONGXIN_LOOKUP_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TONGXIN_ADMIN_2FA", "1")
    assert load_dev_env(path) is True
    assert os.environ["TONGXIN_DEBUG"] == "1"
    assert os.environ["TONGXIN_LOOKUP_KEY"] == "from-file"
    assert os.environ["TONGXIN_ADMIN_2FA"] == "1"  # the environment wins


def test_the_dev_file_is_ignored_when_the_environment_sets_a_secret_key(tmp_path, monkeypatch):
    """Production (and `make test`) set their own key: a dev file left in the checkout must not turn DEBUG on."""
    path = tmp_path / "dev.env"
    path.write_text("TONGXIN_DEBUG=1\n")
    monkeypatch.setenv("TONGXIN_SECRET_KEY", "a-deployment-key")
    monkeypatch.delenv("TONGXIN_DEBUG", raising=False)
    assert load_dev_env(path) is False
    assert "TONGXIN_DEBUG" not in os.environ


def test_no_dev_file_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("TONGXIN_SECRET_KEY", raising=False)
    before = dict(os.environ)
    assert load_dev_env(tmp_path / "absent.env") is False
    assert dict(os.environ) == before


def test_a_malformed_dev_file_line_is_an_error(tmp_path):
    path = tmp_path / "dev.env"
    path.write_text("TONGXIN_DEBUG\n")
    with pytest.raises(ValueError, match=r"dev\.env:1: expected NAME=value"):
        read_env_file(path)
