"""``flask`` commands: coordinators and the demo program."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from mentormatch.services import accounts, backup, demo, matches


@click.command("create-coordinator")
@click.argument("email")
@click.option("--name", required=True, help="The coordinator's full name.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_coordinator_command(email: str, name: str, password: str) -> None:
    """Create a program coordinator account."""
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="password")
    try:
        user = accounts.create_coordinator(email, name, password)
    except accounts.EmailTaken:
        raise click.ClickException(f"an account with the email {email} already exists")
    click.echo(f"Coordinator {user.email} created.")


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
        click.echo(f"Demo program created: {counts.mentors} mentors, {counts.mentees} mentees, 1 coordinator.")
    click.echo("\nDemo logins (password for all: %s):" % demo.DEMO_PASSWORD)
    for role, email in demo.demo_logins():
        click.echo(f"  {role:<12} {email}")


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


commands = [create_coordinator_command, demo_command, expire_matches_command, worker_command, backup_command,
            restore_command]
