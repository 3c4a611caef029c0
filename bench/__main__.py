"""python -m bench [--smoke] [name ...] — run the benchmarks (all by default) and print their
figures; --smoke runs each with tiny sizes, to prove they still run (part of make test).

Each benchmark measures its subject next to a bare reference in the same run (a bare
Django view, a bare WeasyPrint render) and reports ratios: absolute times vary between
machines, ratios much less."""

import importlib
import sys

from django.db import connection

from bench import env  # sets up Django in a throw-away environment

BENCHMARKS = ("deadline", "dossier_submit", "receipts", "registry", "reminders", "reviews_list")


def main(argv: list[str]) -> int:
    env.SMOKE = "--smoke" in argv
    names = [a for a in argv if not a.startswith("--")] or list(BENCHMARKS)
    env.migrate()
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
            return 2
        # Query counts are read from the connection's query log, which keeps at most 9,000
        # entries: one benchmark's bulk loads (the registry's) must not fill it for the next.
        connection.queries_log.clear()
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
