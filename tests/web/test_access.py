"""Every route × every role gets the status the design says."""

import pytest

ROLES = ("anonymous", "mentee", "mentor", "coordinator")
LOGIN = 302  # anonymous users are sent to the login page

# route: expected status for (anonymous, mentee, mentor, coordinator)
EXPECTED = {
    ("GET", "/"): (200, 200, 200, 200),
    ("GET", "/auth/signup"): (200, 302, 302, 302),
    ("GET", "/auth/login"): (200, 302, 302, 302),
    ("POST", "/auth/logout"): (LOGIN, 302, 302, 302),
    ("GET", "/home"): (LOGIN, 200, 200, 302),
    ("GET", "/profile/"): (LOGIN, 200, 200, 403),
    ("GET", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("POST", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("GET", "/coordinator/"): (LOGIN, 403, 403, 200),
}


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("method, path", list(EXPECTED))
def test_each_role_gets_the_right_status(client, person, login, method, path, role_index, role):
    if role != "anonymous":
        login(person(role))
    response = client.open(path, method=method)
    assert response.status_code == EXPECTED[(method, path)][role_index]
    if response.status_code == LOGIN and role == "anonymous" and path not in ("/",):
        assert response.headers["Location"].startswith("/auth/login")


def test_every_route_in_the_url_map_is_classified(app):
    classified = {path for _, path in EXPECTED}
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes <= classified, f"unclassified routes: {sorted(routes - classified)}"
