"""The production settings, plus the benchmarks' bare reference views (bench.urls)."""

from clusterportal.settings import *  # noqa: F403 -- the deployed settings, unchanged

ROOT_URLCONF = "bench.urls"
