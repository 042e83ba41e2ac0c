"""Reminder preferences: one checkbox per kind."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField

from mentormatch.services.reminders.kinds import KINDS
from mentormatch.web.fields import CheckboxesField


class PreferencesForm(FlaskForm):
    emailed = CheckboxesField("Email me about", choices=list(KINDS.items()),
                              description="Untick a kind to stop its emails. You always see every reminder "
                                          "in the app, under Notifications.")
    submit = SubmitField("Save my reminder choices")


class UnsubscribeForm(FlaskForm):
    submit = SubmitField("Stop these emails")
