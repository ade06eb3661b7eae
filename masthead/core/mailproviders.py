"""Provider backends (django-anymail) with what Masthead needs on top.

`ResendBackend`: anymail's Resend backend, with the idempotency key that core/mail.py puts in a
message's `Resend-Idempotency-Key` header sent as the API's `Idempotency-Key` request header, so
Resend delivers a message once however often a resumed send hands it over (within 24 hours).
Use it as EMAIL_BACKEND=masthead.core.mailproviders.ResendBackend with ANYMAIL_RESEND_API_KEY.
"""

from anymail.backends.resend import EmailBackend as AnymailResendBackend
from anymail.backends.resend import ResendPayload

HEADER = "Resend-Idempotency-Key"


class IdempotentResendPayload(ResendPayload):
    def __init__(self, message, defaults, backend, *args, **kwargs):
        headers = kwargs.pop("headers", {})
        for name, value in list(message.extra_headers.items()):
            if name.lower() == HEADER.lower():
                headers["Idempotency-Key"] = value
        super().__init__(message, defaults, backend, *args, headers=headers, **kwargs)

    def set_extra_headers(self, headers):
        # The key travels as a request header, not in the e-mail.
        super().set_extra_headers({k: v for k, v in headers.items() if k.lower() != HEADER.lower()})


class ResendBackend(AnymailResendBackend):
    def build_message_payload(self, message, defaults):
        return IdempotentResendPayload(message, defaults, self)
