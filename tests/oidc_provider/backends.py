"""Sign-in against the people file: the password is the one in the file, and the Django
User (needed by django-oauth-toolkit's grants and tokens) is made on first sign-in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.utils.crypto import constant_time_compare

from tests.oidc_provider import people


class PeopleFileBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        found = people.person(username) if username else None
        if found is None or password is None or not constant_time_compare(str(found.get("password", "")), password):
            return None
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            # The file holds the password; the database copy must never let anyone in.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def get_user(self, user_id):
        user = get_user_model().objects.filter(pk=user_id).first()
        # A person removed from the file (provider.reset()) is signed out of the
        # provider too, as at a real identity provider that deletes an account.
        if user is None or people.person(user.username) is None:
            return None
        return user
