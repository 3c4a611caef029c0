"""The reviewers' application list with 2,000 applications next to the same page with 20,
in one run: the median time of each, their ratio, and the SQL queries of each (the same
number whatever the rows: the page shows 25 at a time)."""

import time
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import override_settings

from bench import env
from intake.deadlines import clock
from intake.kernel.enums import LegalForm, PreRegistrationState
from intake.kernel.roles import CALL_MANAGERS
from intake.models import Call, Organisation, PreRegistration


def _call(slug: str, count: int) -> Call:
    now = clock()
    call = Call.objects.create(
        slug=slug,
        title=slug,
        reference_prefix=slug.upper().replace("-", "")[:12],
        opens_at=now - timedelta(days=60),
        preregistration_deadline=now - timedelta(days=30),
        dossier_deadline=now + timedelta(days=30),
        is_published=True,
    )
    start = Organisation.objects.count()
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Netwerk {start + n} vzw",
                enterprise_number=f"0{5000000 + start + n:07d}{97 - int(f'0{5000000 + start + n:07d}') % 97:02d}",
                legal_form=LegalForm.VZW,
                has_legal_personality=True,
                street="Straat 1",
                postal_code="2000",
                municipality="Antwerpen",
                contact_name="X",
                contact_email="x@bench.example",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    PreRegistration.objects.bulk_create(
        [
            PreRegistration(
                call=call,
                organisation=o,
                state=PreRegistrationState.SUBMITTED,
                number=n + 1,
                network_name=f"Netwerk {n}",
                acronym=f"N{n}",
            )
            for n, o in enumerate(organisations)
        ],
        batch_size=1000,
    )
    return call


@override_settings(ROOT_URLCONF="bench.urls")
def run() -> str:
    manager = get_user_model().objects.create(username="manager@bench.example", email="manager@bench.example", password="!")
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    Authenticator.objects.create(user=manager, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    small, large = _call("bench-small", 20), _call("bench-large", env.size(2000, 40))

    client, bare_path = env.bare_view_client()
    client.force_login(manager)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp", "at": time.time()}]
    session["account_authentication_methods_user"] = str(manager.pk)
    session.save()

    figures = {}
    for call in (small, large):
        path = f"/reviews/{call.slug}/"

        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        with env.QueryCounter(connection) as queries:
            get()
        figures[call.slug] = (env.median_seconds(get, repeat=15), queries.count)
    bare = env.median_seconds(lambda: client.get(bare_path), repeat=50)
    (small_t, small_q), (large_t, large_q) = figures["bench-small"], figures["bench-large"]
    return env.report(
        f"reviews list — /reviews/<call>/ as a call manager ({connection.vendor})",
        [
            ("20 applications, median", f"{small_t * 1000:.1f} ms ({small_q} queries)"),
            (f"{large.preregistrations.count():,} applications, median", f"{large_t * 1000:.1f} ms ({large_q} queries)"),
            ("2,000 / 20", f"{large_t / small_t:.2f}"),
            ("bare Django view, median", f"{bare * 1000:.2f} ms"),
            ("2,000 applications / bare view", f"{large_t / bare:.0f}×"),
        ],
    )
