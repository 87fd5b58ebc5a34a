"""``python -m chatsift`` runs the CLI."""

from chatsift.cli import main

main()
