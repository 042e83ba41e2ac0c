"""``flask`` commands: administrators, coordinators and the demo."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from mentormatch.extensions import db
from mentormatch.models import Program
from mentormatch.services import accounts, backup, demo, matches


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="password")


@click.command("create-coordinator")
@click.argument("email")
@click.option("--name", required=True, help="The coordinator's full name.")
@click.option("--program", "program_slug", required=True, help="The short name (slug) of the program they run.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_coordinator_command(email: str, name: str, program_slug: str, password: str) -> None:
    """Create an account that coordinates one program."""
    _check_password(password)
    program = db.session.scalar(db.select(Program).where(Program.slug == program_slug.strip().lower()))
    if program is None:
        raise click.ClickException(f"no program has the short name {program_slug}")
    try:
        user = accounts.create_coordinator(email, name, password, program)
    except accounts.EmailTaken:
        raise click.ClickException(f"an account with the email {email} already exists")
    click.echo(f"Coordinator {user.email} of {program.name} created.")


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="The administrator's full name.")
@click.password_option(envvar="MENTORMATCH_ADMIN_PASSWORD",
                       help="Prompted for unless given or set in MENTORMATCH_ADMIN_PASSWORD.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a site administrator: creates programs and appoints their coordinators."""
    _check_password(password)
    try:
        user = accounts.create_admin(email, name, password)
    except accounts.EmailTaken:
        raise click.ClickException(f"an account with the email {email} already exists")
    click.echo(f"Site administrator {user.email} created.")


@click.command("demo")
@click.option("--seed", default=demo.DEFAULT_SEED, show_default=True, help="Same seed, same people.")
@with_appcontext
def demo_command(seed: int) -> None:
    """Fill an empty database with a realistic demo program and print its logins."""
    if demo.is_loaded():
        click.echo("The demo program is already loaded.")
    else:
        # The demo's history notifies hundreds of people; those emails are not sent anyway.
        logging.getLogger("mentormatch.mail").setLevel(logging.WARNING)
        counts = demo.seed_demo(seed)
        click.echo(f"Demo created: {counts.programs} programs, {counts.mentors} mentors, {counts.mentees} mentees "
                   f"({counts.both_roles} people mentor in one program and are mentored in another), "
                   f"a coordinator per program and a site administrator.")
        # What the worker's scheduler would do first, so reminders and escalations are there from the start.
        from mentormatch import clock
        from mentormatch.services import automation

        done = automation.run_all(clock.now())
        click.echo(f"The automation ran once: {done['reminders']} reminders, {done['escalations']} escalations, "
                   f"{done['reminder digests']} reminder digests in the demo mailbox.")
    click.echo("\nDemo logins (password for all: %s):" % demo.DEMO_PASSWORD)
    for role, email in demo.demo_logins():
        click.echo(f"  {role:<48} {email}")


@click.command("expire-matches")
@with_appcontext
def expire_matches_command() -> None:
    """Expire pending matches past their answer date now (the worker also does this on a schedule)."""
    click.echo(f"{matches.expire_overdue()} match(es) expired.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run every scheduled job and every task due now, then exit.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Threads that run tasks (sending email waits on the network, so threads suffice).")
@with_appcontext
def worker_command(burst: bool, workers: int) -> None:
    """Deliver emails and run the scheduled jobs from the task queue (until stopped, or --burst)."""
    from mentormatch.tasks.worker import run_burst, run_consumer

    app = current_app._get_current_object()
    if burst:
        click.echo(f"{run_burst(app)} task(s) run.")
    else:
        run_consumer(app, workers)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent backup of the database to TARGET while the app runs."""
    try:
        backup.backup(target)
    except backup.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.confirmation_option(prompt="This replaces everything in the database. Continue?")
@with_appcontext
def restore_command(source: Path) -> None:
    """Replace the database's contents with the backup in SOURCE (stop the app first)."""
    try:
        backup.restore(source)
    except backup.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"Restored from {source}.")


@click.command("automation")
@click.option("--at", "at", default=None, metavar="ISO-TIME",
              help="Run as if it were this time (e.g. 2027-01-04T09:00:00+00:00): rehearse a program's weeks.")
@with_appcontext
def automation_command(at: str | None) -> None:
    """Run the reminders, digests, escalations and reports once, now (the worker does this every 15 minutes)."""
    from datetime import datetime

    from mentormatch import clock
    from mentormatch.services import automation

    moment = clock.now()
    if at:
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("--at is for rehearsals, not for production (it would send real emails early)")
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("an ISO time such as 2027-01-04T09:00:00+00:00", param_hint="--at")
        if moment.tzinfo is None:
            raise click.BadParameter("say the UTC offset, e.g. +00:00", param_hint="--at")
    for step, count in automation.run_all(moment).items():
        click.echo(f"{step}: {count}")


commands = [create_coordinator_command, create_admin_command, demo_command, expire_matches_command, worker_command,
            automation_command, backup_command, restore_command]
