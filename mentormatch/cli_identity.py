"""``flask scim-token``: the bearer tokens identity providers present to /scim/v2."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mentormatch.services import scim

scim_token = AppGroup("scim-token",
                      help="Bearer tokens that identity providers (entra, okta, ...) present to /scim/v2.")


def _provider(value: str) -> str:
    try:
        return scim.provider_name(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="PROVIDER") from None


@scim_token.command("create")
@click.argument("provider")
def create_command(provider: str) -> None:
    """Make a token for PROVIDER and print it once (only its hash is kept)."""
    name = _provider(provider)
    token = scim.create_token(name)
    click.echo(f"SCIM bearer token for {name} (copy it now, it is not shown again):", err=True)
    click.echo(token)


@scim_token.command("revoke")
@click.argument("provider")
def revoke_command(provider: str) -> None:
    """Revoke every token of PROVIDER: its requests get 401 from now on."""
    name = _provider(provider)
    click.echo(f"Revoked {scim.revoke_tokens(name)} token(s) of {name}.")


commands = [scim_token]
