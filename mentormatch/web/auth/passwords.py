"""The password rule for every place a password is chosen: long enough and hard to guess."""

from __future__ import annotations

from flask_login import current_user
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_SCORE = 3  # zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from offline attack"
MAX_CHECKED = 72  # zxcvbn refuses longer input (its time grows with length): longer ones are checked on their start


def strong_password(form, field) -> None:
    """Refuse passwords zxcvbn scores below MIN_SCORE, with its advice in the error."""
    password = field.data or ""
    if not password or field.errors:  # too short or too long says enough
        return
    result = zxcvbn(password[:MAX_CHECKED], user_inputs=_personal_words(form))
    if result["score"] >= MIN_SCORE:
        return
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "This password is easy to guess.", *feedback.get("suggestions", [])]
    raise ValidationError(" ".join(a.strip() for a in advice if a.strip()))


def _personal_words(form) -> list[str]:
    """The name and email on the form, or of the person logged in: a password built from them is guessable."""
    words = [getattr(getattr(form, name, None), "data", None) for name in ("name", "email")]
    if current_user and current_user.is_authenticated:
        words += [current_user.name, current_user.email]
    found = []
    for word in words:
        if isinstance(word, str) and word.strip():
            found.append(word.strip())
            found.extend(part for part in word.replace("@", " ").replace(".", " ").split() if len(part) > 2)
    return found
