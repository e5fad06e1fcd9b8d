"""`python -m tests.fault`: see tests/fault/__init__.py and `--help`."""

from tests.fault.harness import main

raise SystemExit(main())
