"""Celery tasks of the intake app: they take ids, fetch, and do one thing."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from intake.models import Invitation, Membership, Submission


def _send(*, to: list[str], subject: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        text = render_to_string(f"intake/email/{template}.txt", context)
        html = render_to_string(f"intake/email/{template}.html", context)
        message = EmailMultiAlternatives(subject=str(subject), body=text, to=to)
        message.attach_alternative(html, "text/html")
        message.send()


@shared_task(name="intake.invitation_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at is not None:
        return
    with translation.override("nl"):
        subject = translation.gettext("Invitation to join %(org)s on clusterportal") % {"org": invitation.organisation.name}
    _send(
        to=[invitation.email],
        subject=subject,
        template="invitation",
        context={
            "invitation": invitation,
            "accept_url": settings.SITE_URL + reverse("intake:invitation_accept", kwargs={"token": invitation.token}),
        },
        language="nl",
    )


@shared_task(name="intake.submission_confirmation_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def submission_confirmation_send(*, submission_id: int) -> None:
    submission = (
        Submission.objects.select_related("call", "organisation", "submitted_by", "preregistration")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return
    owners = Membership.objects.filter(organisation=submission.organisation, role="owner").values_list("user__email", flat=True)
    recipients = sorted({submission.submitted_by.email, *owners})
    with translation.override(submission.language):
        subject = translation.gettext("Received: %(ref)s — %(call)s") % {
            "ref": submission.reference,
            "call": submission.call.title,
        }
        _send(
            to=recipients,
            subject=subject,
            template="submission_confirmation",
            context={
                "submission": submission,
                "page_url": settings.SITE_URL + reverse("intake:preregistration", kwargs={"slug": submission.call.slug}),
            },
            language=submission.language,
        )
