"""The public pages (the home page, a call's page) as anonymous visitors see them, kept as
rendered HTML for a short while (issue 11, item 5): on the morning of a deadline most
visitors read these pages, and rendering them costs a worker ten times what serving the
kept copy does. What such a copy must never do, and how it doesn't:

- outlive a change to a call: every kept page carries a generation, and any save of a
  call, its priorities or its criteria starts a new one (``connect``), in the cache all
  processes share;
- outlive a phase change: a copy is kept at most until the next instant at which a
  published call opens or closes a phase (``deadlines.next_public_change``), and at most
  ``PUBLIC_PAGE_CACHE_SECONDS``; the time left it shows is that many seconds old at worst;
- hand one visitor's form token to another: the CSRF token of the page's forms (language
  switch) is put in for each request, from that visitor's own cookie;
- show a signed-in user's page, or a message meant for one visitor: only anonymous GETs
  without a query string or pending messages are served from or kept in the cache.

It needs a cache all processes share (Redis, or the embedded default's files): a
per-process cache would keep a changed call's old page in the other processes."""

import functools
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from intake import deadlines
from intake.models import Call, EvaluationCriterion, PolicyPriority

GENERATION_KEY = "public-pages:generation"
FORM_TOKEN_SLOT = "\x00csrf\x00"  # noqa: S105 -- where the visitor's own token goes, not a secret
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        # add(): two processes starting a generation at once agree on the first one.
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def new_generation(**_signal) -> None:
    """Every kept public page is stale from now on."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def connect() -> None:
    """What the public pages show changes: with a call, its priorities or its criteria."""
    for model in (Call, PolicyPriority, EvaluationCriterion):
        post_save.connect(new_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-save")
        post_delete.connect(new_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-delete")
    m2m_changed.connect(new_generation, sender=Call.policy_priorities.through, dispatch_uid="public-pages-priorities")


def _servable(request) -> bool:
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.GET
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def public_page(view):
    """Serve an anonymous visitor's GET of ``view`` from the kept copy, or render and keep it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _servable(request):
            return view(request, *args, **kwargs)
        key = f"public-page:{_generation()}:{get_language()}:{request.path}"
        kept = cache.get(key)
        if kept is not None:
            body, content_type = kept
            return HttpResponse(body.replace(FORM_TOKEN_SLOT, get_token(request)), content_type=content_type)
        response = view(request, *args, **kwargs)
        seconds = _seconds_to_keep()
        if response.status_code == 200 and not response.streaming and seconds > 0:
            body = _TOKEN.sub(rf"\g<1>{FORM_TOKEN_SLOT}\g<2>", response.content.decode(response.charset))
            cache.set(key, (body, response["Content-Type"]), seconds)
        return response

    return wrapper


def _seconds_to_keep() -> int:
    now = deadlines.clock()
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    change = deadlines.next_public_change(now=now)
    if change is not None:
        # Whole seconds, rounded down: the copy is gone before the phase changes.
        seconds = min(seconds, int((change - now).total_seconds()))
    return seconds
