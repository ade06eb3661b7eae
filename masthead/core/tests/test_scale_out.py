"""The scale-out configuration talks to a real Redis: the cache, and the RQ task queue."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

SCRIPT = """
import json, os, django
django.setup()
from django.conf import settings
from django.core.cache import cache
key = os.environ["PROBE_KEY"]
cache.set(key, "stored through Django", 60)
from masthead.core.tests.tasks_probe import probe
result = probe.enqueue(key)
print(json.dumps({
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "tasks_backend": settings.TASKS["default"]["BACKEND"],
    "cached": cache.get(key),
    "task_id": result.id,
}))
"""


@pytest.fixture
def real_redis():
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # Redis runs on every machine of this kind and in CI
    yield client
    client.flushdb()


def test_redis_cache_and_rq_queue_from_environment(real_redis, tmp_path):
    # given the production-style environment
    key = f"probe-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.dev",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "rq",
        "PROBE_KEY": key,
        "MASTHEAD_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    # when a process configured by it caches a value and enqueues a task
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    # then both went to the real Redis
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["cache_backend"] == "masthead.core.cache.RedisCache"  # Django's, reusing clients
    assert (
        report["tasks_backend"] == "masthead.core.queue.RQBackend"
    )  # django-tasks-rq's, held when down
    assert report["cached"] == "stored through Django"
    assert any(key.encode() in k for k in real_redis.keys("*"))
    assert real_redis.exists(f"rq:job:{report['task_id']}")


def test_two_web_processes_and_two_workers_share_one_database_and_redis():
    """bench/scale_out.py: two granian processes and two RQ workers on PostgreSQL and Redis serve
    the same site, see each other's changes within a second, and send each e-mail exactly once."""
    database = f"masthead_scale_{uuid.uuid4().hex[:8]}"
    redis_db = 9 + os.getpid() % 4  # apart from other runs' databases on a shared machine
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "scale_out.py"), "--readers", "300",
         "--database", database, "--redis-db", str(redis_db)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for step in (
        "both ports serve the site",
        "each reader got exactly one confirmation",
        "shows on both ports",
        "both workers sent",
        "the other still sends confirmations",
    ):
        assert step in result.stdout, step
