"""The agency's roles as Django groups, with their permissions. Created after every
migrate, so a fresh production database has them without running the demo."""

from django.contrib.auth.models import Group, Permission

from intake.kernel.roles import GROUP_PERMISSIONS


def ensure_groups(**kwargs) -> None:
    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)
