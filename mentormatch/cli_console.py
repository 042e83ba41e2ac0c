"""``flask`` commands for the coordinator console: roster import for large files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from mentormatch.extensions import db
from mentormatch.models import Program
from mentormatch.services.console import roster
from mentormatch.services.programs import all_programs

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000


@click.command("import-roster")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--check-only", is_flag=True, help="Check every row and report; import nobody.")
@click.option("--no-invite", is_flag=True, help="Create the accounts without emailing password-set links.")
@click.option("--program", "slug", metavar="SLUG",
              help="The program to enrol people in (rows with a program column may name any other); "
                   "needed when there are several programs.")
@with_appcontext
def import_roster_command(source: Path, check_only: bool, no_invite: bool, slug: str | None) -> None:
    """Enrol the people in the CSV file SOURCE in a program (same columns as the web import); all or nothing."""
    programs = all_programs()
    if slug:
        program = db.session.scalar(db.select(Program).where(Program.slug == slug.strip().lower()))
        if program is None:
            raise click.BadParameter(f"no program has the slug {slug!r}; known: "
                                     f"{', '.join(p.slug for p in programs) or 'none'}", param_hint="--program")
    elif len(programs) == 1:
        program = programs[0]
    else:
        raise click.UsageError("Name the program to import into with --program SLUG; known: "
                               f"{', '.join(p.slug for p in programs) or 'none'}.")
    data = source.read_bytes()
    lines = max(data.count(b"\n") - 1, 1)
    with click.progressbar(length=lines, label="Checking rows") as bar:
        check = roster.check_roster(data, program, runs=programs, max_bytes=MAX_BYTES, max_rows=MAX_ROWS,
                                    progress=bar.update)
    for problem in check.file_errors:
        click.echo(f"error: {problem}", err=True)
    for error in check.errors:
        click.echo(f"line {error.line} ({error.email or 'no email'}): {'; '.join(error.messages)}", err=True)
    if not check.ok:
        raise click.ClickException(f"nothing imported: {len(check.errors) + len(check.file_errors)} problem(s)")
    click.echo(f"Into {program.name}: {len(check.people)} to invite, {len(check.joining)} existing accounts to add, "
               f"{len(check.existing)} already members.")
    if check_only:
        return
    with click.progressbar(length=len(check.people) + len(check.joining), label="Importing") as bar:
        result = roster.import_roster(check, None, invite=not no_invite, progress=bar.update)
    click.echo(f"Imported {len(result.created)} people{' and emailed them' if not no_invite else ''}; "
               f"added {len(result.joined)} existing accounts; skipped {len(result.skipped)}.")


commands = [import_roster_command]
