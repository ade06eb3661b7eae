"""The scale-out configuration talks to a real Redis: the cache, and the RQ task queue."""

import json
import os
import subprocess
import sys
import uuid

import pytest
import redis

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
    assert report["tasks_backend"] == "django_tasks_rq.RQBackend"
    assert report["cached"] == "stored through Django"
    assert any(key.encode() in k for k in real_redis.keys("*"))
    assert real_redis.exists(f"rq:job:{report['task_id']}")
