"""Start the whole portal on one machine: web server, Celery worker and Celery beat.

One command, one Ctrl-C: stopping this script stops all three. Used by `make run`."""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    from intake.demo import DEMO_USERS  # noqa: PLC0415 -- after argparse: --help works without the project on the path

    python = sys.executable
    celery = str(Path(python).with_name("celery"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    commands = {
        "web": [python, "manage.py", "runserver", f"{args.host}:{args.port}"],
        # solo pool: one task at a time, the right size for SQLite and the disk broker
        "worker": [celery, "-A", "clusterportal", "worker", "-l", "info", "--pool", "solo", "-Q", "celery,mail"],
        "beat": [celery, "-A", "clusterportal", "beat", "-l", "info"],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}

    url = f"http://{args.host}:{args.port}/"
    print("\n" + "=" * 72)
    print(f"clusterportal runs at {url}   (admin: {url}admin/)")
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
