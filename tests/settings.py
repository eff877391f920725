"""Settings for the test process (pytest.ini): test defaults for the
environment variables that cloud/settings.py reads, then those settings.

Tests run against PostgreSQL, with a database name unique to this run, so
several runs on one machine never share state. Live-cloud subprocesses use
cloud.settings with an explicit environment (tests/harness.py).
"""

import os
import tempfile

RUN_ID = f"{os.getpid()}"
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("CLOUD_TEST_DB_NAME", f"test_cloud_{RUN_ID}")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_BROKER_KEYPREFIX", f"cloudtest{RUN_ID}:")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("CLOUD_VAR_DIR", tempfile.mkdtemp(prefix=f"cloud-test-{RUN_ID}-"))
os.environ.setdefault("CLOUD_HOST", f"testhost{RUN_ID}")
os.environ.setdefault("REPORT_INTERVAL", "0")  # no heartbeat threads inside the test process

from cloud.settings import *  # noqa: E402, F403

# Password hashing is deliberately slow; in-process tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
