"""The agency's roles as Django groups, with their permissions. Brought to exactly what
intake.kernel.roles says after every migrate, so a fresh production database has them
without running the demo, and a permission a role no longer holds is taken away on the
next deployment (the groups are defined in code: extra rights for someone go in a group
of their own, not in these two)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from intake.kernel.roles import GROUP_PERMISSIONS


def ensure_groups(**kwargs) -> None:
    """A post_migrate receiver for every app, not only intake: Django sends post_migrate
    app by app and creates each app's permissions in that app's turn, so in intake's turn
    the permissions of apps after it (reviews) do not exist yet on a fresh database. Run
    in every turn, the last one leaves each group complete after one migrate."""
    using = kwargs.get("using", "default")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Q(pk__in=[])
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(wanted))
