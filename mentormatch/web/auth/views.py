"""Account views."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from mentormatch.extensions import limiter
from mentormatch.models.user import utcnow
from mentormatch.services import account_deletion, account_email, accounts, identity, programs, sessions
from mentormatch.tasks.accounts import complete_sign_up, email_reset_link, send_email_change_links
from mentormatch.web.auth.forms import (
    ChangeEmailForm, ChangePasswordForm, DeleteAccountForm,
    DeleteSingleSignOnAccountForm, LoginForm, NewPasswordForm, ResetRequestForm,
    SignupForm,
)
from mentormatch.web.matches.forms import ConfirmForm
from mentormatch.web.security import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    # "One program stays simple": where exactly one program is open, signing up enrols in it on the side
    # chosen here; otherwise the person joins programs from the Programs page once logged in.
    program = programs.only_open_program()
    sides = [side for side in ("mentee", "mentor") if program is not None and program.is_open_to(side, utcnow().date())]
    form = SignupForm(sides=sides)
    if request.method == "GET" and sides and request.args.get("role") in sides:
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        # Hashed and queued for every address alike: the worker creates the account, or tells
        # the address's owner that someone tried. Nothing here says which.
        email = accounts.normalise_email(form.email.data)
        role = form.role.data if sides else None
        complete_sign_up(email, form.name.data.strip(), accounts.hash_password(form.password.data), role)
        return render_template("auth/check_inbox.html", email=email)
    return render_template("auth/signup.html", form=form, program=program if sides else None)


def log_in(user, remember: bool) -> None:
    """A new server-side session, and a fresh cookie session (new CSRF secret) for it."""
    session.clear()
    sessions.start_session(user, remember, request.user_agent.string or "")
    login_user(user, remember=remember)


def _login_email() -> str:
    """Rate-limit key: the address being tried, so one account is not hammered from many IPs."""
    return accounts.normalise_email(request.form.get("email", ""))[:254]


def _account_key() -> str:
    """Rate-limit key for the pages that check a logged-in person's password: their account, from any address."""
    return f"account:{current_user.id}" if current_user.is_authenticated else f"address:{request.remote_addr}"


# Changing the password or the email and deleting the account each check the current password:
# one budget for all three, so a stolen session cannot guess the password at three times the rate.
password_checks = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"],
                                       scope="password-check", key_func=_account_key, methods=["POST"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_email)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # Addresses at a single-sign-on-only domain have no password here (the same answer for every one).
        refusal = identity.password_refusal(form.email.data)
        user = None if refusal else accounts.authenticate(form.email.data, form.password.data)
        if refusal:
            flash(refusal, "error")
        elif user is None:
            flash("Email or password is incorrect.", "error")
        else:
            log_in(user, form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form,
                           sso_providers=list(current_app.config.get("OIDC_PROVIDERS", {}).values()))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end_session(current_user.session_token)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_email)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        refusal = identity.password_refusal(form.email.data)
        if refusal:  # decided by the domain alone: says nothing of whether the account exists
            flash(f"{refusal} We sent no email.", "info")
            return redirect(url_for("auth.login"))
        # Queued, not looked up: the same work, time and answer whether or not the address has an account.
        email_reset_link(accounts.normalise_email(form.email.data))
        flash("If an account uses that address, we have emailed it a link to choose a new password.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@bp.route("/welcome/<token>", methods=["GET", "POST"])  # a coordinator's invitation: the same form
def reset_password(token: str):
    if accounts.user_for_reset_token(token) is None:
        flash("That link is not valid any more. Ask for a new one.", "error")
        return redirect(url_for("auth.reset_request"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(token, form.password.data)
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@password_checks
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current.data, form.password.data):
            flash("Your password is changed. Every other browser logged in to your account was logged out.",
                  "success")
            return redirect(url_for("main.home"))
        form.current.errors.append("That is not your current password.")
    return render_template("auth/change_password.html", form=form)


@bp.route("/account")
@login_required
def account():
    live = sessions.sessions_of(current_user)
    return render_template("auth/account.html", resend_form=ConfirmForm(), logout_others_form=ConfirmForm(),
                           sessions=[(row, sessions.is_current(row, current_user.session_token)) for row in live])


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if ConfirmForm().validate_on_submit():
        ended = sessions.end_other_sessions(current_user, keep=current_user.session_token)
        flash(f"Logged out of {ended} other session{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    if account_email.confirm_email(token) is None:
        flash("That confirmation link is not valid any more. Log in to get a new one.", "error")
    else:
        flash("Thank you: your email address is confirmed.", "success")
    return redirect(url_for("main.home") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/confirm", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"])
def resend_confirmation():
    if ConfirmForm().validate_on_submit() and current_user.email_confirmed_at is None:
        account_email.send_confirmation(current_user)
        flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/email", methods=["GET", "POST"])
@login_required
@password_checks
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = account_email.request_email_change(current_user, form.password.data, form.email.data)
        except PermissionError as error:
            form.password.errors.append(str(error))
        else:
            # The same answer whether or not the address is taken: the worker checks, and tells its owner.
            send_email_change_links(current_user.id, new_email)
            flash(f"We sent a link to {new_email}. Your address changes when you follow it within 24 hours; "
                  "we told your current address too.", "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_email.html", form=form)


@bp.route("/email/<token>")
def confirm_new_email(token: str):
    keep = current_user.session_token if current_user.is_authenticated else None
    user = account_email.change_email(token, keep_session=keep)
    if user is None:
        flash("That link is not valid any more. Ask for the change again.", "error")
    else:
        flash(f"Your email address is now {user.email}.", "success")
    return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/email/cancel/<token>", methods=["GET", "POST"])
def cancel_email_change(token: str):
    """GET asks (mail scanners open links); POST cancels."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if account_email.cancel_email_change(token):
            flash("The change of email address is cancelled. If you did not ask for it, change your password.",
                  "success")
        else:
            flash("There was no pending change to cancel: it was cancelled, made or has expired.", "info")
        return redirect(url_for("auth.login") if not current_user.is_authenticated else url_for("auth.account"))
    return render_template("auth/cancel_email_change.html", form=form)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@password_checks
def delete_account():
    # An account made by single sign-on has no password to ask for: typing its address confirms.
    form = DeleteAccountForm() if current_user.has_password else DeleteSingleSignOnAccountForm()
    if form.validate_on_submit():
        token = current_user.session_token
        if account_deletion.delete_account(current_user, form.password.data):
            sessions.end_session(token)
            logout_user()
            flash("Your account is deleted. Thank you for taking part in the program.", "info")
            return redirect(url_for("main.index"))
        form.password.errors.append("That is not your current password." if current_user.has_password
                                    else "That is not the email address of this account.")
    return render_template("auth/delete_account.html", form=form)
