"""The ``summarizer`` command: the app, its commands (one module per group: :mod:`.briefing`,
:mod:`.inspect`, :mod:`.batch`, :mod:`.eval`) and the entry point. Thin: parse, call, print.

This is the only place where :class:`~summarizer.errors.SummarizerError` becomes a one-line
message and an exit code; no traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import sys

import typer

from summarizer.cli.batch import batch_command
from summarizer.cli.briefing import brief, extract, merge
from summarizer.cli.click_compat import ERRORS, EXITS, STOPS, exit_code, one_line
from summarizer.cli.estimate import estimate_command
from summarizer.cli.eval import eval_command
from summarizer.cli.inspect import schema, show, text
from summarizer.cli.options import err
from summarizer.cli.review import diff, verify
from summarizer.errors import SummarizerError

app = typer.Typer(
    help="Turn several news articles about one event into a source-grounded briefing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (brief, extract, merge, verify, diff, schema, show, text):
    app.command()(command)
app.command("batch")(batch_command)
app.command("estimate")(estimate_command)
app.command("eval")(eval_command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning our errors into one line and an exit code."""
    command = typer.main.get_command(app)
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        code = command.main(args=args, prog_name="summarizer", standalone_mode=False)
    except SummarizerError as exc:
        if debug:
            raise
        sys.stderr.write("error: " + " ".join(str(exc).split()) + "\n")
        sys.exit(exc.exit_code)
    except EXITS as exc:
        sys.exit(exit_code(exc))
    except ERRORS as exc:  # a usage error: one line, exit 2 (whichever click typer runs on)
        line = one_line(exc)
        if line:
            sys.stderr.write(line + "\n")
        sys.exit(exit_code(exc))
    except STOPS:
        err.print("interrupted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
