"""Staff pages in the admin: the outbox, sending issues, and importing subscribers."""

import contextlib
import datetime
import os
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from masthead.content.models import ArticlePage
from masthead.core.backup import private_folder

from . import importing, sending
from . import outbox as mail_outbox
from .models import Issue, Newsletter


def _check(request):
    # Members' sign-in, gift and preference links are in it: admins only, not every staff account.
    if not (mail_outbox.enabled() and mail_outbox.may_read(request.user)):
        raise PermissionDenied


def outbox(request):
    _check(request)
    return render(
        request, "newsletters/admin/outbox.html", {"messages_sent": mail_outbox.messages()}
    )


def outbox_message(request, message_id):
    _check(request)
    message = mail_outbox.message(message_id)
    if message is None:
        raise Http404("No such message in the outbox")
    return render(request, "newsletters/admin/outbox_message.html", {"message": message})


# --- Issues: test, schedule, send and watch -----------------------------------------------------


class SendTestForm(forms.Form):
    test_address = forms.EmailField(label=_("Send a test to"), required=False)


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In the newsroom’s time zone."),
    )


class SendNowForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview and want this to go to every subscriber"),
        error_messages={
            "required": _("Tick the box to confirm that this issue should go to every subscriber.")
        },
    )


# Each step on the send page is its own form: a typo in the test address must not block sending.
SEND_FORMS = {
    "test": SendTestForm,
    "schedule": ScheduleForm,
    "unschedule": ScheduleForm,
    "send": SendNowForm,
}


def _issue_for(request, pk):
    if not request.user.has_perm("newsletters.change_issue"):
        raise PermissionDenied
    return get_object_or_404(Issue.objects.select_related("newsletter", "article"), pk=pk)


def issue_send(request, pk):
    """One page for everything after writing: preview, test, schedule or send, then watch."""
    issue = _issue_for(request, pk)
    forms_on_page = {
        "test": SendTestForm(initial={"test_address": request.user.email}),
        "schedule": ScheduleForm(initial={"send_at": issue.send_at}),
        "send": SendNowForm(),
    }
    action = request.POST.get("action")
    if request.method == "POST" and action in SEND_FORMS:
        form = SEND_FORMS[action](request.POST)
        forms_on_page["schedule" if action == "unschedule" else action] = form
        if form.is_valid():
            try:
                done = _act(request, issue, action, form.cleaned_data)
            except sending.IssueNotReady as problem:
                messages.error(request, str(problem))
            else:
                messages.success(request, done)
                return redirect("newsletters_issue_send", pk=issue.pk)
    issue.refresh_from_db()
    return render(
        request,
        "newsletters/admin/issue_send.html",
        {
            "issue": issue,
            **{f"{name}_form": form for name, form in forms_on_page.items()},
            "audience": issue.newsletter.audience_count,
            "progress": sending.progress(issue) if issue.started_at else None,
            "edit_url": reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk]),
        },
    )


def _act(request, issue, action, data):
    if action == "test":
        address = data.get("test_address")
        if not address:
            raise sending.IssueNotReady(_("Enter the address to send the test to."))
        sending.send_test(issue, address)
        return _("A test was sent to %(address)s.") % {"address": address}
    if action == "schedule":
        if not data.get("send_at"):
            raise sending.IssueNotReady(_("Choose when to send it."))
        sending.schedule(issue, data["send_at"])
        return _("Scheduled. It goes out at the time you chose; the worker starts it.")
    if action == "unschedule":
        sending.unschedule(issue)
        return _("Unscheduled. The issue is a draft again.")
    if action == "send":
        if not issue.newsletter.audience_count:
            raise sending.IssueNotReady(
                _("Nobody has confirmed a subscription to %(name)s yet: nothing was sent.")
                % {"name": issue.newsletter.name}
            )
        count = sending.send_now(issue)
        return _("Sending to %(count)s subscribers.") % {"count": count}
    raise ValueError(action)


class FromArticleForm(forms.Form):
    newsletter = forms.ModelChoiceField(label=_("Newsletter"), queryset=Newsletter.objects.all())


def issue_from_article(request, page_id):
    """Start an issue that sends a published article: subject and preview text come from it."""
    if not request.user.has_perm("newsletters.add_issue"):
        raise PermissionDenied
    article = get_object_or_404(ArticlePage, pk=page_id)
    form = FromArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issue = Issue.objects.create(
            newsletter=form.cleaned_data["newsletter"],
            subject=article.title[:200],
            preheader=article.summary[:200],
            article=article,
            created_by=request.user,
        )
        messages.success(request, _("A newsletter issue was started from the article."))
        return redirect("wagtailsnippets_newsletters_issue:edit", issue.pk)
    return render(
        request, "newsletters/admin/from_article.html", {"form": form, "article": article}
    )


# --- Subscribers: CSV import ----------------------------------------------------------------------


STATUS_CHOICES = [
    ("subscribed", _("Subscribed (confirmed only where the file shows an opt-in time)")),
    ("pending", _("Pending")),
    ("unsubscribed", _("Unsubscribed")),
    ("cleaned", _("Cleaned / bounced: never mail again")),
]


class ImportForm(forms.Form):
    csv_file = forms.FileField(label=_("CSV file"), required=False)
    newsletter = forms.ModelChoiceField(label=_("Newsletter"), queryset=Newsletter.objects.all())
    default_status = forms.ChoiceField(
        label=_("Status of rows without a status column"),
        choices=STATUS_CHOICES,
        help_text=_(
            "Mailchimp exports subscribed, unsubscribed and cleaned people in separate files."
        ),
    )
    email_column = forms.CharField(
        label=_("E-mail column"), required=False, help_text=_("Leave empty to detect it.")
    )
    status_column = forms.CharField(
        label=_("Status column"), required=False, help_text=_("Leave empty to detect it.")
    )
    opted_in_at_column = forms.CharField(
        label=_("Opt-in time column"), required=False, help_text=_("Leave empty to detect it.")
    )
    upload = forms.CharField(widget=forms.HiddenInput, required=False)


UPLOAD_KEPT = datetime.timedelta(days=1)  # a dry run's file waits this long for its import


def _upload_dir():
    """Where an uploaded list waits between its dry run and its import: readable by its owner
    only, and emptied of lists whose import never came (a subscriber list must not lie about)."""
    path = private_folder(settings.VAR_DIR / "imports")
    stale = time.time() - UPLOAD_KEPT.total_seconds()
    for kept in path.glob("*.csv"):
        with contextlib.suppress(FileNotFoundError):  # another request removed it first
            if kept.stat().st_mtime < stale:
                kept.unlink()
    return path


def subscriber_import(request):
    """Upload, dry run, then import: the dry run's report is exactly what the import will do."""
    if not request.user.has_perm("newsletters.add_subscription"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = mapping = None
    if request.method == "POST" and form.is_valid():
        data, token = _uploaded(form)
        if data is None:
            form.add_error("csv_file", _("Choose the CSV file to import."))
        else:
            try:
                headers, _rows = importing.read_rows(data)
                mapping = importing.guess_mapping(headers)
                for key in ("email", "status", "opted_in_at"):
                    if form.cleaned_data[f"{key}_column"]:
                        setattr(mapping, key, form.cleaned_data[f"{key}_column"])
                dry_run = request.POST.get("action") != "import"
                report = importing.import_subscribers(
                    data,
                    form.cleaned_data["newsletter"],
                    mapping,
                    default_status=form.cleaned_data["default_status"],
                    dry_run=dry_run,
                    source=f"import by {request.user.get_username()}",
                )
            except importing.CannotImport as problem:
                form.add_error(None, str(problem))
            else:
                if dry_run:
                    form = ImportForm(initial={**form.cleaned_data, "upload": token})
                else:
                    (_upload_dir() / f"{token}.csv").unlink(missing_ok=True)
    return render(
        request,
        "newsletters/admin/import.html",
        {"form": form, "report": report, "mapping": mapping},
    )


def _uploaded(form):
    """The file just uploaded (kept for the real import after the dry run), or the kept one."""
    upload = form.cleaned_data.get("csv_file")
    if upload:
        token = secrets.token_hex(16)
        data = upload.read()
        descriptor = os.open(_upload_dir() / f"{token}.csv", os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "wb") as kept:
            kept.write(data)
        return data, token
    token = form.cleaned_data.get("upload") or ""
    path = _upload_dir() / f"{token}.csv"
    if len(token) == 32 and token.isalnum() and path.exists():
        return path.read_bytes(), token
    return None, ""
