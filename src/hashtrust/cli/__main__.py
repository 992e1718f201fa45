"""``python -m hashtrust.cli``: the ``hashtrust`` command line."""

from hashtrust.cli import main

main()
