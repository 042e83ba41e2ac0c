"""Forms for writing and reporting a message; every field bounded."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from mentormatch.services.messages import MAX_BODY, MAX_REASON


class MessageForm(FlaskForm):
    body = TextAreaField("Your message", validators=[
        DataRequired(message="Write a message before sending it."),
        Length(max=MAX_BODY, message=f"A message is limited to {MAX_BODY} characters.")],
        description=f"Plain text, up to {MAX_BODY} characters. Only the two of you can read it.")


class ReportForm(FlaskForm):
    reason = TextAreaField("What is wrong with this message?", validators=[
        DataRequired(message="Say in a few words what is wrong, so the coordinators can help."),
        Length(max=MAX_REASON, message=f"The reason is limited to {MAX_REASON} characters.")],
        description=f"Up to {MAX_REASON} characters. The coordinators see this message and your reason, "
                    "not the rest of your conversation.")
