"""The agency's roles (intake.services.groups): after one migrate on an empty database each
group holds exactly the permissions intake.kernel.roles gives it, the reviews app's
included, and a migrate takes away what a role no longer holds."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import Group, Permission

from intake.kernel.roles import CALL_MANAGERS, GROUP_PERMISSIONS, REVIEWERS
from intake.services.groups import ensure_groups

ROOT = Path(__file__).resolve().parents[3]

FRESH_INSTALL = """
import json, django
django.setup()
from django.core.management import call_command
from django.contrib.auth.models import Group
call_command("migrate", verbosity=0, interactive=False)
print(json.dumps({
    group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
    for group in Group.objects.all()
}))
"""


def test_groups_complete_after_one_migrate_on_an_empty_database(tmp_path):
    """A production install runs migrate once, on an empty database: the Call managers
    must already hold their reviews.* permissions then (they assign reviewers and read
    conflict declarations in the admin), not only after a second migrate."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
    result = subprocess.run(
        [sys.executable, "-c", FRESH_INSTALL],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "clusterportal.settings", "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout.strip().splitlines()[-1])

    assert groups[CALL_MANAGERS] == sorted(GROUP_PERMISSIONS[CALL_MANAGERS])
    assert "reviews.add_reviewerassignment" in groups[CALL_MANAGERS]
    assert "reviews.view_conflictdeclaration" in groups[CALL_MANAGERS]
    assert groups[REVIEWERS] == []


def test_groups_reviewers_hold_no_model_permissions(db):
    """Reviewers work in /reviews/, whose views check assignments and conflicts; a model
    permission would only open the admin's unscoped lists to a reviewer made staff."""
    assert list(Group.objects.get(name=REVIEWERS).permissions.all()) == []


def test_groups_migrate_takes_away_what_a_role_no_longer_holds(db):
    """An install from before: its Reviewers group still holds the view permissions that
    opened the admin's submission list. The next migrate's handler removes them."""
    reviewers = Group.objects.get(name=REVIEWERS)
    reviewers.permissions.add(*Permission.objects.filter(content_type__app_label="intake", codename="view_submission"))

    ensure_groups(using="default")

    assert list(reviewers.permissions.all()) == []
    managers = Group.objects.get(name=CALL_MANAGERS).permissions.all()
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in managers) == sorted(GROUP_PERMISSIONS[CALL_MANAGERS])
