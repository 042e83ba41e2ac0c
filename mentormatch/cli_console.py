"""``flask`` commands for the coordinator console: roster import for large files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from mentormatch.services.console import roster

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000


@click.command("import-roster")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--check-only", is_flag=True, help="Check every row and report; import nobody.")
@click.option("--no-invite", is_flag=True, help="Create the accounts without emailing password-set links.")
@with_appcontext
def import_roster_command(source: Path, check_only: bool, no_invite: bool) -> None:
    """Invite the people in the CSV file SOURCE (same columns as the web import); all or nothing."""
    data = source.read_bytes()
    lines = max(data.count(b"\n") - 1, 1)
    with click.progressbar(length=lines, label="Checking rows") as bar:
        check = roster.check_roster(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, progress=bar.update)
    for problem in check.file_errors:
        click.echo(f"error: {problem}", err=True)
    for error in check.errors:
        click.echo(f"line {error.line} ({error.email or 'no email'}): {'; '.join(error.messages)}", err=True)
    if not check.ok:
        raise click.ClickException(f"nothing imported: {len(check.errors) + len(check.file_errors)} problem(s)")
    click.echo(f"{len(check.people)} to invite, {len(check.existing)} already in the program.")
    if check_only:
        return
    with click.progressbar(length=len(check.people), label="Importing") as bar:
        result = roster.import_roster(check, None, invite=not no_invite, progress=bar.update)
    click.echo(f"Imported {len(result.created)} people{' and emailed them' if not no_invite else ''}; "
               f"skipped {len(result.skipped)}.")


commands = [import_roster_command]
