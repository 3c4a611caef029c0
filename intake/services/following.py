"""Following a call (its pre-registration reminders) and the language of e-mails."""

from django.conf import settings

from intake.models import CallFollow, UserSettings


def call_follow_set(*, call, user, active: bool) -> bool:
    CallFollow.objects.update_or_create(call=call, user=user, defaults={"active": active})
    return active


def call_unfollow_by_token(*, call, user_id: int) -> None:
    CallFollow.objects.filter(call=call, user_id=user_id).update(active=False)


def user_language_set(*, user, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        UserSettings.objects.update_or_create(user=user, defaults={"language": language})
