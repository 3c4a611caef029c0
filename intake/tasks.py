"""Celery tasks of the intake app: they take ids, fetch, and do one thing."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from intake.models import Invitation


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


@shared_task(
    name="intake.receipt_render",
    ignore_result=True,  # the Receipt row is the result
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def receipt_render(*, submission_id: int) -> None:
    """Render, store and e-mail a submission's receipt. Idempotent: a retried or
    duplicated task never makes a second receipt or sends a second e-mail."""
    from intake.receipts import receipt_produce

    receipt_produce(submission_id=submission_id)
