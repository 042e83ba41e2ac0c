import re

from mentormatch.app import create_app
from mentormatch.extensions import db
from mentormatch.models import User


def test_the_landing_page_explains_the_program_and_invites_both_roles(client):
    page = client.get("/").get_data(as_text=True)
    assert "Sign up as a mentor" in page and "Sign up as a mentee" in page
    assert "ASCP" in page and "Microbiology" in page


def test_styles_are_served_by_the_app_itself(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/vendor/pico/pico.min.css" in page and "https://" not in page
    css = client.get("/static/vendor/pico/pico.min.css")
    assert css.status_code == 200 and b"--pico" in css.data


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/no-such-page")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script(client, person, login):
    login(person("mentee"))
    for path in ("/", "/home", "/profile/", "/profile/edit"):
        scripts = re.findall(r"<script[^>]*>", client.get(path).get_data(as_text=True))
        # Only the app's own static files, deferred: no inline code for the CSP to refuse.
        assert all(re.fullmatch(r'<script src="/static/js/[a-z_]+\.js" defer>', tag) for tag in scripts), scripts


def test_the_session_cookie_is_httponly_and_samesite(client, person):
    mentee = person("mentee")
    from tests.factories import PASSWORD

    response = client.post("/auth/login", data={"email": mentee.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_missing_page_is_the_apps_own_404(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_navigation_shows_what_the_role_can_do(client, person, login):
    assert "Log in" in client.get("/").get_data(as_text=True)
    login(person("coordinator"))
    page = client.get("/").get_data(as_text=True)
    assert "Coordinate" in page and "My profile" not in page and "Log out" in page
    assert "Find a mentor" not in page and "Administration" not in page


def test_an_unexpected_error_shows_no_stack_trace_and_rolls_back(app):
    # A fresh app on the same database: the shared one no longer accepts routes.
    broken = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "test",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.route("/_boom")
    def boom():
        db.session.add(User(email="half@example.org", name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("secret internals: SELECT * FROM users")

    response = broken.test_client().get("/_boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "SELECT" not in page and "secret" not in page
    with broken.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.session.remove()
        db.engine.dispose()
