"""``python -m summarizer`` runs the CLI."""

from summarizer.cli.main import main

main()
