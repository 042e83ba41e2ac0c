"""``flask`` commands for the coordinator console: roster import (and full-roster sync) for large files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from mentormatch.extensions import db
from mentormatch.models import Program
from mentormatch.services.console import roster, roster_sync
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
@click.option("--full", is_flag=True, help="The file is the program's whole roster: members missing from it leave "
                                           "the program (listed first; asks before changing anything).")
@click.option("--yes", is_flag=True, help="With --full: do not ask (for scripts).")
@click.option("--allow-large-removal", is_flag=True,
              help=f"With --full --yes: go ahead even when more than {roster_sync.GUARD_SHARE:.0%} of the program "
                   f"would leave.")
@with_appcontext
def import_roster_command(source: Path, check_only: bool, no_invite: bool, slug: str | None, full: bool,
                          yes: bool, allow_large_removal: bool) -> None:
    """Enrol the people in the CSV file SOURCE in a program (same columns as the web import); all or nothing.

    With --full, the members of the program who are not in the file leave it, after a preview and a question.
    """
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
    if full:
        _sync(check, check_only=check_only, invite=not no_invite, yes=yes, allow_large=allow_large_removal)
        return
    if check_only:
        return
    with click.progressbar(length=len(check.people) + len(check.joining), label="Importing") as bar:
        result = roster.import_roster(check, None, invite=not no_invite, progress=bar.update)
    click.echo(f"Imported {len(result.created)} people{' and emailed them' if not no_invite else ''}; "
               f"added {len(result.joined)} existing accounts; skipped {len(result.skipped)}.")


def _sync(check: roster.RosterCheck, *, check_only: bool, invite: bool, yes: bool, allow_large: bool) -> None:
    """A full sync: list who leaves and who stays for a pair, ask (unless --yes), then import and remove."""
    plan = roster_sync.plan_sync(check)
    name = plan.program.name
    click.echo(f"Not in the file, leaving {name}: {len(plan.leaving)}")
    for p in plan.leaving:
        click.echo(f"  {p.name} <{p.email}> ({p.role}, {p.status}"
                   f"{f', {p.pending} pending matches withdrawn' if p.pending else ''})")
    if plan.paired:
        click.echo(f"Not in the file, staying for their active pair (end it first): {len(plan.paired)}")
        for p in plan.paired:
            click.echo(f"  {p.name} <{p.email}> ({p.role})")
    if plan.problem:
        raise click.ClickException(plan.problem)
    if check_only:
        return
    db.session.rollback()  # no transaction left open while the question waits
    if plan.large and not allow_large:
        if yes:
            raise click.ClickException(f"nothing changed: {plan.guard_message()} Add --allow-large-removal.")
        click.confirm(f"{plan.guard_message()} Is the file really the whole roster?", abort=True)
    if not yes:
        click.confirm(f"Import the file and take {len(plan.leaving)} people out of {name}?", abort=True)
    try:
        with click.progressbar(length=len(check.people) + len(check.joining) + len(plan.leaving),
                               label="Importing") as bar:
            synced = roster_sync.sync_roster(check, None, plan.digest, large_confirmed=True, invite=invite,
                                             progress=bar.update)
    except roster_sync.SyncRefused as refused:
        raise click.ClickException(f"{refused} Run the command again to see the new list.") from None
    click.echo(f"Imported {len(synced.imported.created)} people{' and emailed them' if invite else ''}; "
               f"added {len(synced.imported.joined)} existing accounts; skipped {len(synced.imported.skipped)}; "
               f"{len(synced.left)} left {name} ({len(synced.withdrawn)} pending matches withdrawn).")


commands = [import_roster_command]
