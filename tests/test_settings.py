import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("IMS_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_mode_passes_the_deployment_checks_without_warnings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        IMS_PRODUCTION="true",
        IMS_SECRET_KEY="x7#kq!v2p@9zr$w4m&n8b^c6t*e1y%u3i(o5a)s0d_f-g+h=j~l",
        IMS_ALLOWED_HOSTS="ims.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", IMS_PRODUCTION="true", IMS_ALLOWED_HOSTS="ims.example.org")
    assert result.returncode != 0
    assert "IMS_SECRET_KEY" in result.stderr


def test_debug_cannot_be_combined_with_production():
    result = manage("check", IMS_PRODUCTION="true", IMS_DEBUG="true", IMS_SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "IMS_DEBUG must be off" in result.stderr


def test_defaults_are_debug_off_and_sqlite_under_var():
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(s.DEBUG, d['ENGINE'], d['NAME'])"
    result = manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    debug, engine, name = result.stdout.split()
    assert (debug, engine) == ("False", "django.db.backends.sqlite3")
    assert name == str(ROOT / "var" / "ims.sqlite3")
