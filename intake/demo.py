"""The demo logins, shared by seed_demo (which creates them) and scripts/run_portal.py
(which prints them before Django is set up, so this module imports nothing of Django)."""

DEMO_USERS = [
    # (e-mail, password, role) — demo only; seed_demo refuses to run in production.
    ("aanvrager@demo.clusterportal.example", "demo-aanvrager-2026", "applicant"),
    ("beoordelaar@demo.clusterportal.example", "demo-beoordelaar-2026", "reviewer"),
    ("beheerder@demo.clusterportal.example", "demo-beheerder-2026", "manager"),
]
