"""A local stand-in for the parts of Stripe's HTTP API that Masthead calls, with state tests drive.

Stripe's servers cannot be reached from here. The real `stripe` SDK is pointed at this server
(STRIPE_API_BASE) and speaks to it as it would to Stripe: form-encoded requests, JSON objects in
the shapes of the pinned API version, Stripe-style errors. Test helpers then act as Stripe would
(a customer completes checkout, a renewal fails, a refund is made), change the objects, and return
the events Stripe would send, which `signed()` signs with Stripe's real scheme.

What it answers is what the pinned API version (2026-10-28) answers without `expand`: a related
object is its id (a payment intent's `latest_charge`), and an includable list is left out
(a charge's `refunds` since 2022-11-15, an invoice's `payments`, a session's `line_items`, a
customer's `subscriptions`), in retrieved objects, lists and events alike. Asked with
`expand[]=...`, it answers as Stripe does. So a handler that reads a field Stripe does not send
fails here as it would against Stripe.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MONTH = 30 * 24 * 3600
YEAR = 365 * 24 * 3600

# Lists Stripe leaves out unless expanded (the API reference's "includable" fields).
INCLUDABLE = {
    "charge": {"refunds"},
    "invoice": {"payments"},
    "checkout.session": {"line_items"},
    "customer": {"subscriptions", "sources", "tax_ids"},
}
# Fields holding another object's id, which `expand` replaces by the object.
EXPANDABLE = {
    "payment_intent": {"latest_charge", "customer"},
    "charge": {"payment_intent", "customer"},
    "checkout.session": {"customer", "subscription", "payment_intent"},
    "subscription": {"customer"},
    "invoice": {"customer"},
    "refund": {"charge", "payment_intent"},
}


def parse_form(body):
    """Stripe's nested form encoding (a[b][0][c]=d) into dicts and lists."""
    root = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = [a or b for a, b in re.findall(r"([^\[\]]+)|\[([^\[\]]*)\]", key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class StripeStandIn:
    def __init__(self):
        self.objects = {}
        self.requests = []
        self.counter = itertools.count(1)
        self.clock = int(time.time())
        self.failures = 0  # answer this many next requests with a server error
        self.sent = []  # events Stripe would send after a payment on the hosted page

    # --- the server -------------------------------------------------------------------------

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = parse_form(body or parts.query)
                if parts.path.startswith(("/pay/", "/portal/")):
                    return self._hosted_page(method, parts.path, params)
                standin.requests.append((method, parts.path, params, dict(self.headers)))
                status, payload = standin.route(method, parts.path, params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{next(standin.counter)}")
                self.end_headers()
                self.wfile.write(data)

            def _hosted_page(self, method, path, params):
                # Stripe's own pages, as a browser sees them: Checkout, and the customer portal.
                status, location, html = standin.hosted_page(method, path, params)
                data = html.encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def do_DELETE(self):
                self._answer("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def hosted_page(self, method, path, params):
        """Checkout's payment page (paying completes the session and queues Stripe's events in
        `sent`, then returns to the success URL) and the portal. Returns (status, location, html)."""
        kind, _, object_id = path.strip("/").partition("/")
        if kind == "portal":
            return (
                200,
                None,
                f"<!doctype html><title>Billing</title><h1>Billing for {object_id}</h1>",
            )
        session = self.objects.get(object_id)
        if session is None or session["object"] != "checkout.session":
            return 404, None, "<!doctype html><title>Not found</title>"
        if method == "POST":
            email = params.get("email") or session["customer_email"] or ""
            self.sent.extend(self.complete_checkout(object_id, email))
            back = session["success_url"].replace("{CHECKOUT_SESSION_ID}", object_id)
            return 303, back, ""
        amount = int(session["_price"]["unit_amount"]) / 100
        return (
            200,
            None,
            (
                '<!doctype html><html lang="en"><title>Pay</title><main><h1>Stripe stand-in</h1>'
                f'<form method="post"><p>{amount:.2f} {session["currency"].upper()}</p>'
                '<label>Email <input name="email" type="email" '
                f'value="{session["customer_email"] or ""}"></label>'
                '<label>Card <input name="card" value="4242 4242 4242 4242"></label>'
                f'<button type="submit">Pay</button></form><a href="{session["cancel_url"]}">Back</a>'
                "</main></html>"
            ),
        )

    def route(self, method, path, params):
        if self.failures:
            self.failures -= 1
            return 500, {"error": {"type": "api_error", "message": "Stand-in outage"}}
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(params)
        if method == "POST" and path == "/v1/billing_portal/sessions":
            if params.get("customer") not in self.objects:
                return self._missing(params.get("customer"))
            portal = {
                "id": self._id("bps"),
                "object": "billing_portal.session",
                "customer": params["customer"],
                "return_url": params.get("return_url"),
                "url": f"{self.url}/portal/{params['customer']}",
            }
            return 200, portal
        if method == "GET" and path == "/v1/subscriptions":
            return 200, self._list_subscriptions(params)
        if method == "GET" and path == "/v1/refunds":
            return 200, self._list_refunds(params)
        match = re.fullmatch(
            r"/v1/(checkout/sessions|subscriptions|invoices|charges|payment_intents|customers|"
            r"refunds)/([^/]+)",
            path,
        )
        if not match:
            return 404, {"error": {"type": "invalid_request_error", "message": "Unrecognized URL"}}
        obj = self.objects.get(match.group(2))
        if obj is None:
            return self._missing(match.group(2))
        if obj.get("deleted"):
            return self._missing(match.group(2))
        if method == "DELETE" and match.group(1) == "subscriptions":
            self.end_subscription(obj["id"])
            return 200, self.shown(obj)
        if method == "DELETE" and match.group(1) == "customers":
            self.delete_customer(obj["id"])
            return 200, {"id": obj["id"], "object": "customer", "deleted": True}
        return 200, self.shown(obj, params.get("expand"))

    def shown(self, obj, expand=None):
        """An object as the API version answers it: includable lists left out unless expanded,
        related objects as ids unless expanded (`expand` paths like "latest_charge.refunds")."""
        paths = expand if isinstance(expand, list) else [expand] if expand else []
        result = {k: deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
        for field in INCLUDABLE.get(obj["object"], ()):
            if field not in [path.split(".")[0] for path in paths]:
                result.pop(field, None)
        for path in paths:
            field, _, rest = path.partition(".")
            if field in EXPANDABLE.get(obj["object"], ()) and isinstance(result.get(field), str):
                related = self.objects.get(result[field])
                if related is not None:
                    result[field] = self.shown(related, [rest] if rest else None)
        return result

    def _list_subscriptions(self, params):
        # Stripe lists a customer's subscriptions, any status with status=all, newest first.
        found = [
            self.shown(o)
            for o in list(self.objects.values())
            if o["object"] == "subscription"
            and o["customer"] == params.get("customer")
            and (params.get("status") == "all" or o["status"] != "canceled")
        ]
        found.sort(key=lambda o: o["start_date"], reverse=True)
        return {"object": "list", "url": "/v1/subscriptions", "has_more": False, "data": found}

    def _list_refunds(self, params):
        # Stripe lists refunds newest first, filtered by charge or payment intent.
        found = [
            self.shown(o)
            for o in list(self.objects.values())
            if o["object"] == "refund"
            and all(
                o.get(key) == params[key] for key in ("charge", "payment_intent") if key in params
            )
        ]
        found.sort(key=lambda o: o["created"], reverse=True)
        return {"object": "list", "url": "/v1/refunds", "has_more": False, "data": found}

    def _missing(self, object_id):
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such object: '{object_id}'",
            }
        }

    # --- objects ----------------------------------------------------------------------------

    def _id(self, prefix):
        return f"{prefix}_test_{next(self.counter):06d}"

    def tick(self, seconds=1):
        self.clock += seconds
        return self.clock

    def _create_session(self, params):
        line = params["line_items"][0]
        price = line["price_data"]
        session = {
            "id": self._id("cs"),
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "customer_details": None,
            "metadata": params.get("metadata", {}),
            # What Checkout copies onto the subscription or payment it makes, as Stripe does.
            "_subscription_metadata": (params.get("subscription_data") or {}).get("metadata", {}),
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata"),
            "amount_total": int(price["unit_amount"]) * int(line.get("quantity", 1)),
            "currency": price["currency"],
            "subscription": None,
            "payment_intent": None,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "created": self.tick(),
            "_price": price,
        }
        session["url"] = f"{self.url}/pay/{session['id']}"
        self.objects[session["id"]] = session
        return self.shown(session)

    def _customer(self, email):
        for obj in list(self.objects.values()):  # the server's threads may add objects meanwhile
            if obj["object"] == "customer" and obj["email"] == email and not obj.get("deleted"):
                return obj
        customer = {"id": self._id("cus"), "object": "customer", "email": email}
        self.objects[customer["id"]] = customer
        return customer

    def _payment(self, customer, amount, currency, metadata=None):
        intent_id = self._id("pi")
        charge = {
            "id": self._id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "refunded": False,
            "currency": currency,
            "customer": customer,
            "payment_intent": intent_id,
            "created": self.tick(),
            "refunds": {"object": "list", "data": []},
        }
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": currency,
            "customer": customer,
            "status": "succeeded",
            "latest_charge": charge["id"],
            "metadata": metadata or {},
            "created": charge["created"],
        }
        self.objects[intent_id] = intent
        self.objects[charge["id"]] = charge
        return intent, charge

    def _invoice(self, subscription, intent, *, paid=True, reason="subscription_cycle"):
        invoice = {
            "id": self._id("in"),
            "object": "invoice",
            "customer": subscription["customer"],
            "customer_email": self.objects[subscription["customer"]]["email"],
            "status": "paid" if paid else "open",
            "billing_reason": reason,
            "amount_paid": intent["amount"] if paid and intent else 0,
            "amount_due": subscription["items"]["data"][0]["price"]["unit_amount"],
            "currency": subscription["items"]["data"][0]["price"]["currency"],
            "parent": {
                "type": "subscription_details",
                # Stripe copies the subscription's metadata here when it finalises the invoice
                "subscription_details": {
                    "subscription": subscription["id"],
                    "metadata": dict(subscription.get("metadata") or {}),
                },
            },
            "payments": {
                "object": "list",
                "data": [
                    {
                        "object": "invoice_payment",
                        "status": "paid",
                        "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
                    }
                ]
                if paid and intent
                else [],
            },
            "created": self.tick(),
        }
        self.objects[invoice["id"]] = invoice
        return invoice

    def event(self, type_, obj):
        return {
            "id": self._id("evt"),
            "object": "event",
            "type": type_,
            "api_version": "2026-10-28.endive",
            "created": self.tick(),
            "livemode": False,
            "data": {"object": self.shown(obj)},
        }

    # --- what customers and Stripe do -------------------------------------------------------

    def complete_checkout(self, session_id, email):
        """The customer pays on Stripe's page. Returns the events Stripe sends."""
        session = self.objects[session_id]
        customer = (
            self.objects[session["customer"]] if session["customer"] else self._customer(email)
        )
        price = session["_price"]
        amount = int(price["unit_amount"])
        session.update(
            status="complete",
            payment_status="paid",
            customer=customer["id"],
            customer_details={"email": customer["email"], "name": None},
        )
        events = []
        if session["mode"] == "subscription":
            interval = price["recurring"]["interval"]
            start = self.tick()
            subscription = {
                "id": self._id("sub"),
                "object": "subscription",
                "customer": customer["id"],
                "status": "active",
                "cancel_at_period_end": False,
                "cancel_at": None,
                "canceled_at": None,
                "ended_at": None,
                "start_date": start,
                "metadata": session["_subscription_metadata"] or {"masthead_kind": "membership"},
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self._id("si"),
                            "object": "subscription_item",
                            "current_period_start": start,
                            "current_period_end": start + (MONTH if interval == "month" else YEAR),
                            "price": {
                                "id": self._id("price"),
                                "object": "price",
                                "currency": price["currency"],
                                "unit_amount": amount,
                                "recurring": {"interval": interval, "interval_count": 1},
                            },
                        }
                    ],
                },
            }
            self.objects[subscription["id"]] = subscription
            intent, charge = self._payment(customer["id"], amount, price["currency"])
            invoice = self._invoice(subscription, intent, reason="subscription_create")
            session["subscription"] = subscription["id"]
            events += [
                self.event("customer.created", customer),
                self.event("customer.subscription.created", subscription),
                self.event("invoice.created", invoice),
                self.event("charge.succeeded", charge),
                self.event("invoice.paid", invoice),
                self.event("invoice.payment_succeeded", invoice),
            ]
        else:
            intent, charge = self._payment(
                customer["id"],
                amount,
                price["currency"],
                session["_intent_metadata"] or session["metadata"],
            )
            session["payment_intent"] = intent["id"]
            events += [
                self.event("customer.created", customer),
                self.event("charge.succeeded", charge),
                self.event("payment_intent.succeeded", intent),
            ]
        events.append(self.event("checkout.session.completed", session))
        return events

    def existing_member(self, email, customer_id, *, unit_amount=800, interval="month"):
        """A customer who already pays, from before Masthead (e.g. a Ghost site's Stripe account):
        no webhook about them reaches the site."""
        self.objects[customer_id] = {"id": customer_id, "object": "customer", "email": email}
        session = self._create_session(
            {
                "mode": "subscription",
                "customer": customer_id,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "eur",
                            "unit_amount": unit_amount,
                            "recurring": {"interval": interval},
                        },
                    }
                ],
                "success_url": "https://old.example/",
                "cancel_url": "https://old.example/",
            }
        )
        self.complete_checkout(session["id"], email)
        return self.subscription_of(email)

    def subscription_of(self, customer_email):
        customer = self._customer(customer_email)
        return next(
            o
            for o in self.objects.values()
            if o["object"] == "subscription" and o["customer"] == customer["id"]
        )

    def change_plan(self, subscription_id, *, unit_amount, interval):
        subscription = self.objects[subscription_id]
        item = subscription["items"]["data"][0]
        item["price"] = {
            **item["price"],
            "id": self._id("price"),
            "unit_amount": unit_amount,
            "recurring": {"interval": interval, "interval_count": 1},
        }
        item["current_period_end"] = item["current_period_start"] + (
            MONTH if interval == "month" else YEAR
        )
        return [self.event("customer.subscription.updated", subscription)]

    def fail_renewal(self, subscription_id):
        subscription = self.objects[subscription_id]
        invoice = self._invoice(subscription, None, paid=False)
        subscription["status"] = "past_due"
        self._renewing_invoice = invoice["id"]
        return [
            self.event("invoice.payment_failed", invoice),
            self.event("customer.subscription.updated", subscription),
        ]

    def recover(self, subscription_id):
        subscription = self.objects[subscription_id]
        invoice = self.objects[self._renewing_invoice]
        price = subscription["items"]["data"][0]["price"]
        intent, charge = self._payment(
            subscription["customer"], price["unit_amount"], price["currency"]
        )
        invoice.update(status="paid", amount_paid=intent["amount"])
        invoice["payments"]["data"] = [
            {
                "object": "invoice_payment",
                "status": "paid",
                "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
            }
        ]
        item = subscription["items"]["data"][0]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] += MONTH if price["recurring"]["interval"] == "month" else YEAR
        subscription["status"] = "active"
        return [
            self.event("charge.succeeded", charge),
            self.event("invoice.paid", invoice),
            self.event("customer.subscription.updated", subscription),
        ]

    def cancel_at_period_end(self, subscription_id):
        subscription = self.objects[subscription_id]
        subscription["cancel_at_period_end"] = True
        subscription["cancel_at"] = subscription["items"]["data"][0]["current_period_end"]
        subscription["canceled_at"] = self.tick()
        return [self.event("customer.subscription.updated", subscription)]

    def end_subscription(self, subscription_id):
        subscription = self.objects[subscription_id]
        subscription.update(status="canceled", ended_at=self.tick())
        subscription["canceled_at"] = subscription["canceled_at"] or subscription["ended_at"]
        return [self.event("customer.subscription.deleted", subscription)]

    def delete_customer(self, customer_id):
        """The customer is deleted; Stripe cancels their subscriptions at once."""
        for obj in list(self.objects.values()):
            if (
                obj["object"] == "subscription"
                and obj["customer"] == customer_id
                and obj["status"] != "canceled"
            ):
                self.end_subscription(obj["id"])
        self.objects[customer_id]["deleted"] = True
        return [self.event("customer.deleted", self.objects[customer_id])]

    def expire_checkout(self, session_id):
        """The customer never pays; Stripe expires the session (after 24 hours by default)."""
        session = self.objects[session_id]
        session.update(status="expired")
        return [self.event("checkout.session.expired", session)]

    def refund(self, payment_intent_id, amount=None):
        intent = self.objects[payment_intent_id]
        charge = self.objects[intent["latest_charge"]]
        amount = amount or charge["amount"] - charge["amount_refunded"]
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "payment_intent": payment_intent_id,
            "status": "succeeded",
            "created": self.tick(),
        }
        self.objects[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        charge["refunds"]["data"].append(refund)
        return [self.event("refund.created", refund), self.event("charge.refunded", charge)]


def signed(event, secret, timestamp=None):
    """The body and Stripe-Signature header Stripe would send (HMAC-SHA256 over "t.body")."""
    body = json.dumps(event)
    timestamp = timestamp or int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={mac}"
