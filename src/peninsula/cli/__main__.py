"""``python -m peninsula.cli``."""

from peninsula.cli import main

main()
