"""`python -m tests.bench`: see tests/bench/__init__.py and `--help`."""

from tests.bench.harness import main

raise SystemExit(main())
