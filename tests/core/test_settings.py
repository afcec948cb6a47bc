import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_BACKEND"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# Valid keys of the IIN at rest for the production checks (volunteers/crypto.py).
IIN_KEYS = {
    "IIN_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1jaGVjay1paW4ta2V5LTAxMjM0NTY=",
    "IIN_HASH_KEY": "production-check-iin-hash-key",
}


class TestSettingsGuard:
    def test_missing_secret_key_with_debug_off_fails_loudly(self) -> None:
        result = _run({"DEBUG": "false"}, "check")
        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off" in result.stderr

    def test_invalid_boolean_is_refused(self) -> None:
        result = _run({"DEBUG": "perhaps"}, "check")
        assert result.returncode != 0
        assert "DEBUG must be a boolean" in result.stderr

    def test_production_values_pass_check_deploy_without_warnings(self) -> None:
        result = _run(
            {
                "DEBUG": "false",
                "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
                "ALLOWED_HOSTS": "volunteer.example.kz",
                "SITE_URL": "https://volunteer.example.kz",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                **IIN_KEYS,
            },
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        )
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout

    def test_production_without_a_site_url_fails_check_deploy(self) -> None:
        """Left at its default, SITE_URL sent every link of every e-mail and SMS to
        http://127.0.0.1:8000."""
        production = {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "volunteer.example.kz",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            **IIN_KEYS,
        }
        for site_url in ("", "http://volunteer.example.kz"):
            result = _run({**production, "SITE_URL": site_url}, "check", "--deploy")
            assert result.returncode != 0 and "volunteer_net.E004" in result.stderr, site_url
        # Not tagged for every command: migrate and the benches run without a site of their own.
        assert "volunteer_net.E004" not in _run({**production, "SITE_URL": ""}, "check").stderr

    def test_reminder_hours_other_than_the_words_say_fail_check_deploy(self) -> None:
        """The reminders say "Tomorrow" and "In two hours" ("In an hour" for a visit): 48 hours
        would send "Tomorrow" two days ahead."""
        production = {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "volunteer.example.kz",
            "SITE_URL": "https://volunteer.example.kz",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            **IIN_KEYS,
        }
        for name, value in (("SHIFT_REMINDER_HOURS", "48,2"), ("VISIT_REMINDER_HOURS", "24,3")):
            result = _run({**production, name: value}, "check", "--deploy", "--fail-level", "WARNING")
            assert result.returncode != 0 and "volunteer_net.W001" in result.stderr, name
            assert name in result.stderr

    def test_production_without_iin_keys_does_not_start(self) -> None:
        """The IIN is stored encrypted: without its own keys (not derived from SECRET_KEY, whose
        rotation would then lose every IIN) production stops at the checks, migrate included."""
        production = {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "volunteer.example.kz",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        }
        result = _run(production, "check")
        assert result.returncode != 0 and "volunteer_net.E002" in result.stderr

    def test_production_without_email_backend_fails_check_deploy(self) -> None:
        """Mail used to fall back to the console with DEBUG off: password-reset and activation
        links would then be written to the logs."""
        production = {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "volunteer.example.kz",
        }
        result = _run(production, "check", "--deploy")
        assert result.returncode != 0
        assert "EMAIL_BACKEND" in result.stderr and "volunteer_net.E001" in result.stderr
        backend = _run(
            production, "shell", "-c", "from django.conf import settings; print(repr(settings.EMAIL_BACKEND))"
        )
        assert "console" not in backend.stdout

    def test_development_mail_goes_to_the_console(self) -> None:
        result = _run(
            {"DEBUG": "true"},
            "shell",
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        )
        assert result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"

    def test_embedded_default_is_sqlite(self) -> None:
        result = _run(
            {"DEBUG": "true", "DATABASE_URL": ""},
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        )
        assert result.stdout.strip().splitlines()[-1] == "django.db.backends.sqlite3", result.stderr


def test_time_zone_is_almaty_utc_plus_five() -> None:
    import datetime
    import zoneinfo

    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Almaty" and settings.USE_TZ
    # Since 1 March 2024 all of Kazakhstan is on UTC+5; an old tzdata would say +6.
    offset = datetime.datetime(2026, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty")).utcoffset()
    assert offset == datetime.timedelta(hours=5)
