"""Soak: mixed traffic for five minutes at the highest rate this machine sustains (`make soak`).

    .venv/bin/python bench/soak.py [--duration 300] [--writers 6]

The production profile (granian with two processes, PostgreSQL, Redis for cache and queue, one
worker, mail to a local SMTP server, Stripe's API played by the local stand-in) takes, at once:

- readers: wrk at full speed on the home page, an article and the feed JSON, through the cache;
- writers: threads that, as ever new readers (each from its own 127.x.y.z address, so the per-address
  limits see many people), sign up for newsletters, ask for member sign-in links, and join: the join
  form, Stripe Checkout on the stand-in, then Stripe's signed webhooks for the payment.

It reports requests per second and every error (a 5xx, a refused connection, an answer that was not
the one expected), then waits for the worker and checks that nothing was lost: every accepted sign-up
has its subscriber and exactly one confirmation e-mail, every payment its row and one receipt.
"""

import argparse
import http.client
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_out import Mailbox, environment, prepare, start, stop, until  # noqa: E402
from bench.site_speed import fetch, free_port, wait_for  # noqa: E402

WEBHOOK_SECRET = "whsec_soak"  # noqa: S105 - the local stand-in's


class Writer(threading.Thread):
    """One thread of writing traffic; each action comes from a new client address."""

    addresses = itertools.count(1)

    def __init__(self, port, stop_event, results, standin):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = stop_event
        self.results = results
        self.standin = standin
        self.random = random.Random()

    def connection(self):
        n = next(self.addresses)
        source = f"127.{1 + n // 65000 % 250}.{n // 250 % 260 % 256}.{1 + n % 250}"
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )

    def request(self, conn, method, path, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()

    def note(self, action, status, expected):
        ok = status in expected
        with self.results["lock"]:
            self.results["count"][action] += 1
            if not ok:
                self.results["errors"][(action, status)] += 1
        return ok

    def run(self):
        actions = ["sign_up"] * 5 + ["sign_in"] * 3 + ["join"] * 2
        while not self.stop_event.is_set():
            action = self.random.choice(actions)
            conn = self.connection()
            try:
                getattr(self, "do_" + action)(conn)
            except Exception as error:  # counted as an error of that action; the soak goes on
                self.note(action, type(error).__name__, ())
            finally:
                conn.close()

    def do_sign_up(self, conn):
        email = f"reader{self.random.getrandbits(48)}@example.org"
        status, _h, _b = self.request(
            conn, "POST", "/newsletters/", urlencode({"email": email, "source": "soak"}),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": f"http://127.0.0.1:{self.port}"},
        )  # fmt: skip
        if self.note("sign_up", status, (302,)):
            with self.results["lock"]:
                self.results["signed_up"].add(email)

    def _form(self, conn, path):
        status, headers, body = self.request(conn, "GET", path)
        cookie = next(
            (v.split(";")[0] for k, v in headers if k.lower() == "set-cookie" and "csrftoken" in v),
            "",
        )
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        return status, cookie, token.group(1).decode() if token else ""

    def do_sign_in(self, conn):
        _s, cookie, token = self._form(conn, "/members/sign-in/")
        status, _h, _b = self.request(
            conn, "POST", "/members/sign-in/",
            urlencode({"email": f"someone{self.random.getrandbits(40)}@example.org",
                       "csrfmiddlewaretoken": token}),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
             "Referer": f"http://127.0.0.1:{self.port}/members/sign-in/"},
        )  # fmt: skip
        self.note("sign_in", status, (200,))

    def do_join(self, conn):
        from masthead.members.tests.stripe_standin import signed

        _s, cookie, token = self._form(conn, "/members/join/")
        email = f"member{self.random.getrandbits(48)}@example.org"
        status, headers, _b = self.request(
            conn, "POST", "/members/join/",
            urlencode({"frequency": "once", "amount": "2500", "custom_amount": "", "email": email,
                       "csrfmiddlewaretoken": token}),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
             "Referer": f"http://127.0.0.1:{self.port}/members/join/"},
        )  # fmt: skip
        if not self.note("join", status, (302,)):
            return
        location = next(v for k, v in headers if k.lower() == "location")
        session_id = urlsplit(location).path.rsplit("/", 1)[1]
        with self.results["lock"]:  # the stand-in plays one Stripe: one checkout at a time
            events = self.standin.complete_checkout(session_id, email)
        for event in events:
            body, signature = signed(event, WEBHOOK_SECRET)
            status, _h, _b = self.request(
                conn, "POST", "/members/webhooks/stripe/", body,
                {"Content-Type": "application/json", "Stripe-Signature": signature},
            )  # fmt: skip
            self.note("webhook", status, (200,))
        with self.results["lock"]:
            self.results["paid"].add(email)


READERS_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def read_load(base, paths, duration, folder):
    script = Path(folder) / "readers.lua"
    script.write_text(READERS_LUA % ", ".join(f'"{p}"' for p in paths))
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{duration}s", "-s", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    return (
        rate,
        total,
        int(non_2xx.group(1)) if non_2xx else 0,
        socket.group(1) if socket else "none",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--database", default="masthead_soak")
    parser.add_argument("--redis-db", type=int, default=8)
    args = parser.parse_args(argv)

    from masthead.members.tests.stripe_standin import StripeStandIn

    standin = StripeStandIn().start()
    mailbox = Mailbox()
    mailbox.controller.start()
    folder = Path(tempfile.mkdtemp(prefix="masthead-soak-"))
    env = environment(folder, mailbox.port, args.database, args.redis_db)
    env.update(
        STRIPE_SECRET_KEY="sk_test_soak",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=standin.url,
        CSP_EXTRA_FORM_ACTION=standin.url,
    )
    print(f"Preparing {args.database} ...", flush=True)
    prepare(env, args.database, args.redis_db)
    os.environ.update(env)
    import django

    django.setup()
    log = open(folder / "processes.log", "w")  # noqa: SIM115 - open for the whole run
    port = free_port()
    granian = str(Path(sys.executable).parent / "granian")
    web = start(env, granian, "--interface", "wsgi", "masthead.wsgi:application", "--host",
                "127.0.0.1", "--port", str(port), "--workers", "2", "--blocking-threads", "4",
                "--log-level", "warning", log=log)  # fmt: skip
    worker = start(env, sys.executable, "-m", "masthead.cli", "worker", log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
        home = fetch(base + "/")[0].decode()
        article = re.search(r'href="(/news/[^"]+/)"', home).group(1)
        results = {"lock": threading.Lock(), "count": Counter(), "errors": Counter(),
                   "signed_up": set(), "paid": set()}  # fmt: skip
        stop_event = threading.Event()
        writers = [Writer(port, stop_event, results, standin) for _ in range(args.writers)]
        print(f"Soaking for {args.duration} s: wrk reading, {args.writers} writer threads ...",
              flush=True)  # fmt: skip
        started = time.monotonic()
        for writer in writers:
            writer.start()
        reading = read_load(base, ["/", article, "/news-feed/feed.json"], args.duration, folder)
        stop_event.set()
        for writer in writers:
            writer.join(timeout=60)
        elapsed = time.monotonic() - started

        print("Waiting for the worker to send every e-mail ...", flush=True)
        from masthead.members.models import Payment
        from masthead.newsletters.models import Subscriber

        signed_up, paid = results["signed_up"], results["paid"]
        draining = time.monotonic()
        until(lambda: len(mailbox.count("onfirm")) >= len(signed_up)
              and len(mailbox.count("receipt")) >= len(paid), 900, every=1)  # fmt: skip
        drained = time.monotonic() - draining
        time.sleep(3)  # any duplicate would arrive by now
        confirmations = mailbox.count("onfirm")
        receipts = mailbox.count("receipt")
        stored = set(Subscriber.objects.filter(email__in=signed_up).values_list("email", flat=True))
        payments = Payment.objects.filter(member__email__in=paid).count()
    finally:
        stop(web)
        stop(worker)
        mailbox.controller.stop()
        standin.stop()
        log.close()

    rate, total, non_2xx, socket_errors = reading
    writes = sum(results["count"].values())
    errors = sum(results["errors"].values())
    lost = {
        "sign-ups without a subscriber": len(signed_up - stored),
        "sign-ups without exactly one confirmation": sum(
            1 for e in signed_up if confirmations.get(e) != 1
        ),
        "payments without a row": len(paid) - payments,
        "payments without exactly one receipt": sum(1 for e in paid if receipts.get(e) != 1),
    }
    print(f"\nSoak of {elapsed:.0f} s on {os.cpu_count()} cores:\n")
    print("| traffic | requests | per second | errors |\n|---|---|---|---|")
    print(f"| reading (wrk, cached pages) | {total:,} | {rate:,.0f} | "
          f"{non_2xx} non-2xx/3xx, socket errors: {socket_errors} |")  # fmt: skip
    for action in ("sign_up", "sign_in", "join", "webhook"):
        n = results["count"][action]
        bad = sum(v for (a, _s), v in results["errors"].items() if a == action)
        print(f"| {action.replace('_', ' ')} | {n:,} | {n / elapsed:,.1f} | {bad} |")
    print(f"| all writing | {writes:,} | {writes / elapsed:,.1f} | {errors} |")
    if results["errors"]:
        print(
            "\nErrors by kind: "
            + ", ".join(f"{a} {s}: {n}" for (a, s), n in results["errors"].items())
        )
    print(f"\nThe worker finished the e-mails {drained:.0f} s after the traffic stopped.")
    print("Nothing lost (after the worker finished):")
    for what, n in lost.items():
        print(f"  {what}: {n}")
    print(f"  ({len(signed_up):,} sign-ups, {len(paid):,} payments checked)")
    failed = errors or non_2xx or socket_errors != "none" or any(lost.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
