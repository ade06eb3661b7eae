"""The steps of the kill drills (tests/test_kill_drills.py) that run in a process of their own.

`python -m tests.drill_steps seed-tasks N` queues N readers' sign-ups and a few of every other kind
of task the site queues (preference and data links, receipts, sign-in links) through the services
a request calls; `seed-issue N` starts an issue to N confirmed readers; `outcome` says what is
left (task rows by state, the issue's state). Each prints JSON. They run against the database and
task backend the environment names, as the workers do, so SQLite, PostgreSQL and RQ drill alike.
"""

import json
import os
import sys


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")
    import django

    django.setup()


def seed_tasks(readers):
    from django.utils import timezone

    from masthead.members import services as members
    from masthead.members.models import Payment
    from masthead.members.tests.factories import member
    from masthead.newsletters import data_requests, services
    from masthead.newsletters.tests.factories import NewsletterFactory

    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    signups = [f"signup{n}@example.org" for n in range(readers)]
    for address in signups:
        services.subscribe(address, [newsletter], source="drill")
    few = max(2, readers // 20)
    # Readers who ask for their preference link, and for a download of their data.
    asking = [services.find_or_add_subscriber(f"asking{n}@example.org") for n in range(few)]
    for subscriber in asking:
        subscriber.subscriptions.create(newsletter=newsletter, state="confirmed")
        data_requests.request_link(subscriber, data_requests.PREFERENCES)
        data_requests.request_link(subscriber, "export")
    # Members who pay (a receipt each) and who ask for a sign-in link.
    from masthead.members import tasks

    paying = []
    for n in range(few):
        person = member(email=f"member{n}@example.org")
        payment = Payment.objects.create(
            member=person,
            kind=Payment.Kind.MEMBERSHIP,
            stripe_payment_intent_id=f"pi_drill_{n}_{timezone.now().timestamp()}",
            amount=1000,
            currency="EUR",
        )
        tasks.send_receipt.enqueue(payment.pk)
        members.request_sign_in(person.email)
        paying.append(person.email)
    print(
        json.dumps(
            {
                "confirm": signups,
                "preferences": [s.email for s in asking],
                "export": [s.email for s in asking],
                "receipt": paying,
                "sign_in": paying,
            }
        )
    )


def seed_issue(readers):
    from django.utils import timezone

    from masthead.newsletters import sending
    from masthead.newsletters.models import Issue
    from masthead.newsletters.tests.factories import (
        IssueFactory,
        NewsletterFactory,
        confirmed_readers,
    )

    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    confirmed_readers(newsletter, readers)
    issue = IssueFactory(newsletter=newsletter)
    assert sending.start_sending(issue)
    sending.enqueue_workers(issue)
    Issue.objects.filter(pk=issue.pk).update(last_progress_at=timezone.now())
    print(json.dumps({"issue": issue.pk}))


def outcome():
    from django.conf import settings
    from django.db.models import Count

    from masthead.core.models import HeldTask, TaskLease
    from masthead.newsletters.models import Delivery, Issue

    found = {
        "issues": list(Issue.objects.values_list("state", flat=True)),
        "deliveries": dict(
            Delivery.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
        ),
        "leases": TaskLease.objects.count(),
        "held": HeldTask.objects.count(),
    }
    if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        found["tasks"] = dict(
            DBTaskResult.objects.values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    else:
        import django_rq
        from rq.job import JobStatus
        from rq.registry import StartedJobRegistry

        # Running: jobs RQ has handed to a worker (started, or on its way there) and not ended.
        queue = django_rq.get_queue("default")
        taken = set(StartedJobRegistry(queue=queue).get_job_ids(cleanup=False))
        taken |= set(queue.intermediate_queue.get_job_ids())
        ended = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
        running = [
            job_id
            for job_id in taken
            if (job := queue.fetch_job(job_id)) is not None and job.get_status() not in ended
        ]
        found["tasks"] = {
            "READY": queue.count + len(queue.scheduled_job_registry),
            "RUNNING": len(running),
        }
    print(json.dumps(found))


if __name__ == "__main__":
    setup()
    step, *args = sys.argv[1:]
    {"seed-tasks": seed_tasks, "seed-issue": seed_issue, "outcome": outcome}[step](*map(int, args))
