"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from mentormatch.web.auth.passwords import strong_password
from mentormatch.web.fields import single_line


PASSWORD_MIN = 10
PASSWORD_MAX = 128


SIDES = {"mentee": "A mentee: I want guidance", "mentor": "A mentor: I want to guide others"}


class SignupForm(FlaskForm):
    """``sides``: the sides open in the only open program; none, and the role question is left out."""

    role = RadioField("I want to join as", validators=[DataRequired(message="Choose mentor or mentee.")])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120), single_line])
    email = EmailField("Work email", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField(
        "Password",
        description=f"At least {PASSWORD_MIN} characters, not easy to guess.",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX), strong_password],
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


    def __init__(self, *args, sides: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sides:
            self.role.choices = [SelectChoice(side, SIDES[side]) for side in sides]
            if len(sides) == 1 and not self.role.data:
                self.role.data = sides[0]
        else:
            del self.role


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me logged in on this device")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", description=f"At least {PASSWORD_MIN} characters, not easy to guess.",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX), strong_password],
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class _DeleteConfirmation(FlaskForm):
    understood = BooleanField(
        "I understand that my profile, notifications and private notes are deleted for good, "
        "my open matches are withdrawn and my agreements end.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class DeleteAccountForm(_DeleteConfirmation):
    password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class DeleteSingleSignOnAccountForm(_DeleteConfirmation):
    """For an account with no password (it signs in through single sign-on): the address confirms."""

    password = StringField("Type your email address to confirm", validators=[DataRequired(), Length(max=254)])
