"""Fangkong settings: every value comes from the environment (see .env.example)."""

import secrets
from pathlib import Path

from fangkong.lib.envconf import database_from_url, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(envstr("FANGKONG_VAR_DIR", str(BASE_DIR.parent / "var")))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ for the demo."""
    key = envstr("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "false")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "ninja",
    "fangkong.core",
    "fangkong.places",
    "fangkong.people",
    "fangkong.accounts",
    "fangkong.audit",
    "fangkong.protocol",
    "fangkong.cases",
    "fangkong.reports",
    "fangkong.control",
    "fangkong.testing",
    "fangkong.tracing",
    "fangkong.inbox",
    "fangkong.arrivals",
    "fangkong.residents",
    "fangkong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.core.middleware.language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fangkong.audit.middleware.audit_origin",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fangkong.accounts.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fangkong.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

TASKS = {
    "default": {
        "BACKEND": envstr("FANGKONG_TASK_BACKEND",
                          "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE
FANGKONG_ARRIVALS_PER_HOUR = envint("FANGKONG_ARRIVALS_PER_HOUR", "10")
FANGKONG_CHECKINS_PER_HOUR = envint("FANGKONG_CHECKINS_PER_HOUR", "30")
FANGKONG_IMPORT_MAX_BYTES = envint("FANGKONG_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))
FANGKONG_PAGE_SIZE = envint("FANGKONG_PAGE_SIZE", "50")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
