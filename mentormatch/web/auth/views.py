"""Account views."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from mentormatch.extensions import limiter
from mentormatch.services import account_deletion, account_email, accounts
from mentormatch.tasks.accounts import email_reset_link
from mentormatch.web.auth.forms import (
    ChangeEmailForm, ChangePasswordForm, DeleteAccountForm, LoginForm, NewPasswordForm, ResetRequestForm,
    SignupForm,
)
from mentormatch.web.matches.forms import ConfirmForm
from mentormatch.web.security import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm()
    if request.method == "GET" and request.args.get("role") in ("mentor", "mentee"):
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        try:
            user = account_email.sign_up(form.email.data, form.name.data, form.password.data, form.role.data)
        except accounts.EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead.")
        else:
            login_user(user)
            flash("Welcome to MentorMatch! We emailed you a link to confirm your address. "
                  "Meanwhile, tell us about yourself so we can find good matches.", "success")
            return redirect(url_for("profiles.edit"))
    return render_template("auth/signup.html", form=form)


def _login_email() -> str:
    """Rate-limit key: the address being tried, so one account is not hammered from many IPs."""
    return accounts.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_email)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            flash("Email or password is incorrect.", "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
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
        # Queued, not looked up: the same work, time and answer whether or not the address has an account.
        email_reset_link(accounts.normalise_email(form.email.data))
        flash("If an account uses that address, we have emailed it a link to choose a new password.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
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
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current.data, form.password.data):
            flash("Your password is changed.", "success")
            return redirect(url_for("main.home"))
        form.current.errors.append("That is not your current password.")
    return render_template("auth/change_password.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", resend_form=ConfirmForm())


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
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            account_email.request_email_change(current_user, form.password.data, form.email.data)
        except PermissionError as error:
            form.password.errors.append(str(error))
        except accounts.EmailTaken:
            form.email.errors.append("Another account uses this address.")
        else:
            flash(f"We sent a link to {form.email.data}. Your address changes when you follow it.", "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_email.html", form=form)


@bp.route("/email/<token>")
def confirm_new_email(token: str):
    try:
        user = account_email.change_email(token)
    except accounts.EmailTaken:
        user = None
    if user is None:
        flash("That link is not valid any more. Ask for the change again.", "error")
    else:
        flash(f"Your email address is now {user.email}.", "success")
    return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if account_deletion.delete_account(current_user, form.password.data):
            logout_user()
            flash("Your account is deleted. Thank you for taking part in the program.", "info")
            return redirect(url_for("main.index"))
        form.password.errors.append("That is not your current password.")
    return render_template("auth/delete_account.html", form=form)
