"""Start the whole portal on one machine: web server, Celery worker and Celery beat.

One command, one Ctrl-C: stopping this script stops all three. Used by `make run`."""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# A server listening on every interface is still reached, from this machine, at loopback.
_ANY_INTERFACE = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 -- maps them away, binds nothing


def site_url(host: str, port: str, variables: Mapping[str, str]) -> str:
    """The portal's address for absolute links (e-mails, the receipt's verification
    address): SITE_URL when it is set explicitly; otherwise where this run serves, so
    `make run PORT=8010` prints and links port 8010, not the default 8000."""
    if variables.get("SITE_URL"):
        return variables["SITE_URL"].rstrip("/")
    host = _ANY_INTERFACE.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    import environ  # noqa: PLC0415 -- after argparse: --help works without the virtualenv

    from intake.demo import DEMO_USERS  # noqa: PLC0415 -- after argparse: --help works without the project on the path

    # As settings.py does: a SITE_URL in .env is as explicit as one in the environment.
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    served, url = site_url(args.host, args.port, {}), site_url(args.host, args.port, os.environ)
    python = sys.executable
    celery = str(Path(python).with_name("celery"))
    # The worker renders the receipts and writes the e-mails: it links the same address.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SITE_URL": url}
    commands = {
        "web": [python, "manage.py", "runserver", f"{args.host}:{args.port}"],
        # solo pool: one task at a time, the right size for SQLite and the disk broker
        "worker": [celery, "-A", "clusterportal", "worker", "-l", "info", "--pool", "solo", "-Q", "celery,mail"],
        "beat": [celery, "-A", "clusterportal", "beat", "-l", "info"],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}

    print("\n" + "=" * 72)
    print(f"clusterportal runs at {served}/   (admin: {served}/admin/)")
    if url != served:
        print(f"Links in e-mails and receipts point to SITE_URL: {url}/")
    print("Demo logins (e-mail / password):")
    for email, password, role in DEMO_USERS:
        print(f"  {role:<9} {email} / {password}")
    print("E-mails are written to var/mail/.  Press Ctrl-C to stop web, worker and beat.")
    print("=" * 72 + "\n", flush=True)

    def stop(*_):
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    # Ctrl-C reaches every process of the terminal at once: a child that
                    # exits cleanly or on SIGINT first is a normal stop, anything else is not.
                    clean = process.returncode in (0, -signal.SIGINT, 128 + signal.SIGINT)
                    if not clean:
                        print(f"{name} stopped (exit code {process.returncode}); stopping the others.", flush=True)
                    stop()
                    return 0 if clean else process.returncode
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping web, worker and beat…", flush=True)
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
