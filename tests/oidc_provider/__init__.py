"""A real OpenID Connect provider for the sign-in tests: a small Django project running
django-oauth-toolkit with OIDC, started by tests/oidc/conftest.py in a process of its own
on 127.0.0.1 (never imported into the portal's test process as settings).

Everything that differs between test sessions comes from environment variables set by
the fixture (settings.py lists them); the people who can sign in come from a JSON file
that is re-read on every request (people.py)."""
