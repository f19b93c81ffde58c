"""Settings from the environment: defaults, parsing, secrets kept out of repr, clear refusals."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from needlepoint.config import Settings, SettingsError

SMTP = {"NEEDLEPOINT_SMTP_HOST": "mail.example.test", "NEEDLEPOINT_SMTP_FROM": "r@clinic.test"}


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})

    assert settings == Settings()
    assert (settings.data_dir, settings.default_session_time) == (Path("var"), time(9, 0))
    assert (settings.portal_link_minutes, settings.smtp, settings.sms) == (15, None, None)
    assert settings.effective_database_url.endswith("/var/needlepoint.sqlite3")


def test_keyword_arguments_ignore_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", "/elsewhere")

    assert Settings().data_dir == Path("var")
    assert Settings.from_env().data_dir == Path("/elsewhere")


def test_empty_values_count_as_unset() -> None:
    blank = ("DATA_DIR", "DATABASE_URL", "WEB_SECRET", "PORTAL_URL", "SMTP_HOST", "SMS_FROM")

    assert Settings.from_env({f"NEEDLEPOINT_{n}": "" for n in blank}) == Settings()


@pytest.mark.parametrize(
    ("raw", "on"), [("1", True), ("YES", True), ("true", True), ("0", False), ("on", False)]
)
def test_flags_are_on_only_for_1_true_or_yes(raw: str, on: bool) -> None:
    assert Settings.from_env({"NEEDLEPOINT_DEVELOPMENT": raw}).development is on


def test_smtp_port_follows_security_unless_set() -> None:
    def port(**extra: str) -> int:
        smtp = Settings.from_env({**SMTP, **extra}).smtp
        assert smtp is not None
        return smtp.port

    assert port() == 587
    assert port(NEEDLEPOINT_SMTP_SECURITY="none") == 25
    assert port(NEEDLEPOINT_SMTP_SECURITY="tls", NEEDLEPOINT_SMTP_PORT="2525") == 2525


def test_smtp_and_sms_are_off_without_their_host_and_gateway() -> None:
    settings = Settings.from_env({"NEEDLEPOINT_SMTP_FROM": "r@c.test", "NEEDLEPOINT_SMS_FROM": "C"})

    assert (settings.smtp, settings.sms) == (None, None)


def test_secrets_are_read_but_never_shown() -> None:
    env = {
        **SMTP,
        "NEEDLEPOINT_SMTP_PASSWORD": "smtp-password-1",
        "NEEDLEPOINT_SMS_GATEWAY_URL": "https://sms.example.test/send",
        "NEEDLEPOINT_SMS_GATEWAY_TOKEN": "sms-token-2",
        "NEEDLEPOINT_WEB_SECRET": "w" * 40,
        "NEEDLEPOINT_DATABASE_URL": "postgresql+psycopg://u:db-password-3@db/np",
    }
    settings = Settings.from_env(env)

    assert settings.smtp is not None and settings.smtp.password is not None
    assert settings.sms is not None and settings.sms.token is not None
    assert settings.smtp.password.get_secret_value() == "smtp-password-1"
    assert settings.sms.token.get_secret_value() == "sms-token-2"
    assert settings.effective_database_url == env["NEEDLEPOINT_DATABASE_URL"]
    shown = repr(settings) + str(settings)
    assert [
        s for s in ("smtp-password-1", "sms-token-2", "w" * 40, "db-password-3") if s in shown
    ] == []


@pytest.mark.parametrize(
    ("env", "named", "fix"),
    [
        ({"NEEDLEPOINT_DEFAULT_SESSION_TIME": "9am"}, "NEEDLEPOINT_DEFAULT_SESSION_TIME", "HH:MM"),
        ({"NEEDLEPOINT_PORTAL_URL": "clinic.test"}, "NEEDLEPOINT_PORTAL_URL", "https://"),
        (
            {"NEEDLEPOINT_PORTAL_LINK_MINUTES": "1441"},
            "NEEDLEPOINT_PORTAL_LINK_MINUTES",
            "1 to 1440",
        ),
        ({**SMTP, "NEEDLEPOINT_SMTP_PORT": "http"}, "NEEDLEPOINT_SMTP_PORT", "1 to 65535"),
        ({"NEEDLEPOINT_SMS_GATEWAY_URL": "ftp://x"}, "NEEDLEPOINT_SMS_GATEWAY_URL", "https://"),
        ({"NEEDLEPOINT_SMTP": "{not json"}, "NEEDLEPOINT_SMTP", "docs/settings.md"),
    ],
)
def test_an_unusable_value_is_refused_naming_the_variable_and_the_fix(
    env: dict[str, str], named: str, fix: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)

    assert named in str(caught.value) and fix in str(caught.value)
    assert "pydantic" not in str(caught.value)


def test_every_unusable_value_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {"NEEDLEPOINT_WEB_SECRET": "short", "NEEDLEPOINT_PORTAL_LINK_MINUTES": "x"}
        )

    assert "NEEDLEPOINT_WEB_SECRET" in str(caught.value)
    assert "NEEDLEPOINT_PORTAL_LINK_MINUTES" in str(caught.value)


def test_the_public_url_gives_every_link_its_start_and_the_portal_its_address() -> None:
    settings = Settings.from_env({"NEEDLEPOINT_PUBLIC_URL": "https://clinic.example/np/"})

    assert settings.public_url == "https://clinic.example/np"
    assert settings.portal_address == "https://clinic.example/np/portal"
    assert Settings().public_url == "http://127.0.0.1:8000"


def test_the_old_portal_url_still_sets_the_public_url_when_that_is_unset() -> None:
    old = {"NEEDLEPOINT_PORTAL_URL": "https://clinic.example/portal/"}
    both = {**old, "NEEDLEPOINT_PUBLIC_URL": "https://clinic.example"}

    assert Settings.from_env(old).public_url == "https://clinic.example"
    assert Settings.from_env(both).portal_address == "https://clinic.example/portal"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"NEEDLEPOINT_PUBLIC_URL": "clinic.example"}, "NEEDLEPOINT_PUBLIC_URL"),
        ({"NEEDLEPOINT_PUBLIC_URL": "https://clinic.example/?next=x"}, "NEEDLEPOINT_PUBLIC_URL"),
        ({"NEEDLEPOINT_PORTAL_URL": "https://clinic.example/patients"}, "/portal"),
        (
            {
                "NEEDLEPOINT_PORTAL_URL": "https://old.example/portal",
                "NEEDLEPOINT_PUBLIC_URL": "https://new.example",
            },
            "disagree",
        ),
    ],
)
def test_a_public_url_that_cannot_give_links_is_refused(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)

    assert named in str(caught.value)


def test_an_unset_web_secret_audit_key_or_field_key_is_named_as_unshareable() -> None:
    unset = ("NEEDLEPOINT_WEB_SECRET", "NEEDLEPOINT_AUDIT_KEY", "NEEDLEPOINT_FIELD_KEY")
    assert Settings().unshared_secrets() == unset
    web_only = Settings.from_env({"NEEDLEPOINT_WEB_SECRET": "k" * 32})
    assert web_only.unshared_secrets() == unset[1:]
    shared = Settings.from_env(
        {
            "NEEDLEPOINT_WEB_SECRET": "k" * 32,
            "NEEDLEPOINT_AUDIT_KEY": "a" * 32,
            "NEEDLEPOINT_FIELD_KEY": FIELD_KEY_TEXT,
        }
    )
    assert shared.unshared_secrets() == ()


FIELD_KEY_TEXT = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEEDLEPOINT_FIELD_KEY", "not-a-key"),
        ("NEEDLEPOINT_FIELD_KEY", "AAAA"),
        ("NEEDLEPOINT_BACKUP_KEY", "short"),
        ("NEEDLEPOINT_FIELD_KEYS_RETIRED", f"{FIELD_KEY_TEXT},nope"),
    ],
)
def test_an_unusable_encryption_key_is_refused_naming_the_variable_and_the_fix(
    variable: str, value: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})

    assert variable in str(caught.value)
    assert "32 random bytes in base64" in str(caught.value)
    assert value not in str(caught.value)
