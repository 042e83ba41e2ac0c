"""The Programs page, joining, the program switcher and the home page across programs."""

from __future__ import annotations

import re
from datetime import date

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, Membership, MembershipStatus, TagKind, User
from mentormatch.services import accounts
from mentormatch.services.account_deletion import delete_account
from tests.factories import PASSWORD, default_program, join, make_pair, make_program, make_user
from tests.querycount import count_statements


def _programs(app, *names, **settings) -> list[int]:
    with app.app_context():
        ids = [make_program(name, **settings).id for name in names]
        db.session.remove()
    return ids


def _memberships(app, email) -> dict[int, tuple[str, str]]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return {m.program_id: (m.role, m.status) for m in user.memberships}


def _newcomer(app, email="new@lab.example.org"):
    with app.app_context():
        accounts.register(email, "New Person", PASSWORD)
        db.session.remove()
    return email


def test_the_programs_page_lists_my_memberships_and_the_programs_open_to_me(app, client, person, login):
    mentor = person("mentor")  # in the default "Test program"
    _programs(app, "MLT to MLS pathway")
    _programs(app, "Closed cohort", enrolment="closed")
    _programs(app, "Invited only", enrolment="invitation")
    _programs(app, "Past program", enrol_closes_on=date(2020, 1, 1))
    login(mentor)
    page = client.get("/programs/").get_data(as_text=True)
    mine, open_ = page.split('id="open-title"')
    assert "Test program" in mine and "Mentor" in mine
    assert "MLT to MLS pathway" in open_ and "Join" in open_
    for hidden in ("Closed cohort", "Invited only", "Past program"):
        assert hidden not in page
    assert "Test program" not in open_  # not offered twice


def test_joining_as_a_mentee_asks_for_goals_and_keeps_the_form_on_an_error(app, client, login):
    (program_id,) = _programs(app, "MLT to MLS pathway")
    email = _newcomer(app)
    login(email)
    form = client.get(f"/programs/{program_id}/join").get_data(as_text=True)
    assert "Career goals you seek in this program" in form and 'value="mentee"' in form
    refused = client.post(f"/programs/{program_id}/join", data={"role": "mentee", "credentials_sought": ["ascp_mls"]})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Choose at least one career goal." in page and 'id="goals-error"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="ascp_mls"', page)  # the rest is kept
    assert _memberships(app, email) == {}
    joined = client.post(f"/programs/{program_id}/join",
                         data={"role": "mentee", "goals": ["mlt_to_mls"], "credentials_sought": ["ascp_mls"]})
    assert joined.status_code == 302 and joined.headers["Location"] == "/home"
    assert _memberships(app, email) == {program_id: ("mentee", "active")}
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.memberships[0].codes(TagKind.GOAL) == ["mlt_to_mls"]
    home = client.get("/home").get_data(as_text=True)
    assert "MLT to MLS pathway" in home and "complete your profile" in home  # no profile yet: suggestions need one


def test_joining_as_a_mentor_asks_for_capacity(app, client, login):
    (program_id,) = _programs(app, "Supervisor track")
    email = _newcomer(app)
    login(email)
    assert "How many mentees can you take at once" in client.get(f"/programs/{program_id}/join").get_data(as_text=True)
    for bad in ("", "0", "11"):
        page = client.post(f"/programs/{program_id}/join", data={"role": "mentor", "capacity": bad})
        assert "Enter a number from 1 to 10." in page.get_data(as_text=True)
    assert _memberships(app, email) == {}
    client.post(f"/programs/{program_id}/join", data={"role": "mentor", "capacity": "2", "accepting_mentees": "y"})
    with app.app_context():
        membership = db.session.scalar(db.select(Membership))
        assert (membership.role, membership.capacity, membership.accepting_mentees) == ("mentor", 2, True)


def test_a_program_open_to_one_side_offers_only_that_side(app, client, login):
    (program_id,) = _programs(app, "Mentors wanted", mentees_may_join=False)
    login(_newcomer(app))
    page = client.get(f"/programs/{program_id}/join").get_data(as_text=True)
    assert 'value="mentor"' in page and 'value="mentee"' not in page
    refused = client.post(f"/programs/{program_id}/join", data={"role": "mentee", "goals": ["supervisor"]})
    assert "Not a valid choice" in refused.get_data(as_text=True)


def test_nobody_joins_both_sides_of_one_program(app, client, person, login):
    mentor = person("mentor")
    program_id = _memberships(app, mentor.email).popitem()[0]
    login(mentor)
    assert client.get(f"/programs/{program_id}/join").status_code == 302
    client.post(f"/programs/{program_id}/join", data={"role": "mentee", "goals": ["supervisor"]})
    assert _memberships(app, mentor.email) == {program_id: ("mentor", "active")}


def test_an_invitation_only_program_cannot_be_joined(app, client, login):
    (program_id,) = _programs(app, "Roster only", enrolment="invitation")
    email = _newcomer(app)
    login(email)
    assert client.get(f"/programs/{program_id}/join").status_code == 302
    client.post(f"/programs/{program_id}/join", data={"role": "mentee", "goals": ["supervisor"]})
    assert _memberships(app, email) == {}
    assert client.get("/programs/99999/join").status_code == 404


def _mentor_here_mentee_there(app):
    """Ana mentors in the first program and is a mentee in the second; each has another mentor."""
    with app.app_context():
        first, second = default_program(), make_program("Supervisor track")
        ana = make_user("mentor", name="Ana Mentor-Mentee", email="ana@lab.example.org", program=first)
        join(ana, "mentee", second, goals=["supervisor"])
        make_user("mentor", name="Bo First-Program", program=first)
        make_user("mentor", name="Cy Second-Program", program=second)
        ids = (first.id, second.id)
        db.session.remove()
    return ids


def test_the_switcher_shows_only_with_two_programs_and_changes_what_the_pages_show(app, client, login):
    first, second = _mentor_here_mentee_there(app)
    login("ana@lab.example.org")
    home = client.get("/home").get_data(as_text=True)
    assert 'id="program-switcher"' in home and "Programs</a>" in home
    assert "Test program" in home and "Supervisor track" in home  # both memberships, with their next steps
    # Working in the first program (her first membership): a mentor there.
    assert client.get("/matches/suggestions").status_code == 403
    assert "Find a mentor" not in home
    response = client.post("/programs/switch", data={"program_id": str(second), "next": "/matches/suggestions"})
    assert response.status_code == 302 and response.headers["Location"] == "/matches/suggestions"
    suggestions = client.get("/matches/suggestions")
    assert suggestions.status_code == 200
    page = suggestions.get_data(as_text=True)
    assert "Cy Second-Program" in page and "Bo First-Program" not in page
    home = client.get("/home").get_data(as_text=True)
    assert "Find a mentor" in home
    assert home.index("Supervisor track") < home.index("Test program")  # the program worked in comes first
    assert re.search(rf'<option value="{second}" selected>', home)
    # An outside next is not followed.
    assert client.post("/programs/switch", data={"program_id": str(first), "next": "//evil.example/"}
                       ).headers["Location"] == "/home"


def test_switching_to_a_program_i_am_not_in_is_not_found(app, client, person, login):
    mentee = person("mentee")
    (other,) = _programs(app, "Someone else's program")
    login(mentee)
    assert client.post("/programs/switch", data={"program_id": str(other)}).status_code == 404
    assert client.post("/programs/switch", data={"program_id": "not a number"}).status_code == 404
    assert client.post("/programs/switch", data={}).status_code == 404


def test_one_program_stays_simple(app, client, person, login):
    login(person("mentee"))
    page = client.get("/home").get_data(as_text=True)
    assert "program-switcher" not in page and "Programs</a>" not in page
    _programs(app, "A second program")
    page = client.get("/home").get_data(as_text=True)
    assert "Programs</a>" in page and "program-switcher" not in page  # a link to join, no switcher yet


def test_a_person_in_no_program_sees_what_they_can_join(app, client, login):
    login(_newcomer(app))
    assert "No program is open yet" in client.get("/home").get_data(as_text=True)
    (program_id,) = _programs(app, "New graduate onboarding")
    page = client.get("/home").get_data(as_text=True)
    assert "New graduate onboarding" in page and f"/programs/{program_id}/join" in page
    assert client.get("/matches/suggestions").headers["Location"] == "/programs/"


def test_home_shows_each_memberships_next_step(app, client, login):
    with app.app_context():
        match = make_pair("Dee Mentee", "Eli Mentor")
        eli = match.mentor
        second = make_program("Supervisor track")
        join(eli, "mentee", second, goals=["supervisor"])
        asker = make_user("mentee", program=second)
        third = make_program("Capacity pending")
        join(eli, "mentor", third, capacity=None)
        db.session.add(Match(program_id=second.id, mentee_id=eli.id, mentor_id=make_user("mentor", program=second).id,
                             origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED))
        db.session.commit()
        del asker
        email = eli.email
        db.session.remove()
    login(email)
    page = client.get("/home").get_data(as_text=True)
    assert "You mentor" in page and "Dee Mentee" in page  # a pair in the first program
    assert "1 proposal waits for your answer" in page  # the second
    assert "Set my capacity" in page  # the third


def test_home_sends_a_pure_coordinator_to_the_coordinator_area_and_shows_a_member_coordinator_both(
        app, client, person, login):
    login(person("coordinator"))
    assert client.get("/home").headers["Location"] == "/coordinator/"
    client.post("/auth/logout")
    with app.app_context():
        cora = make_user("coordinator", email="cora@lab.example.org")
        join(cora, "mentor", make_program("Where Cora mentors"))
        db.session.remove()
    login("cora@lab.example.org")
    page = client.get("/home").get_data(as_text=True)
    assert "Where Cora mentors" in page and "/coordinator/" in page


# The session with its user, the memberships with their programs and their tags, the profile and its tags,
# the open matches, the pairs with their cadence, the unread count; the navigation's programs.
HOME = 10


def _home_statements(app, email) -> int:
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    client.get("/home")
    with count_statements() as seen:
        assert client.get("/home").status_code == 200
    return len(seen)


def test_home_takes_as_many_queries_in_ten_programs_as_in_two(app):
    with app.app_context():
        two = make_user("mentor", email="two@lab.example.org")
        join(two, "mentee", make_program("Two's second program"))
        many = make_user("mentor", email="many@lab.example.org")
        for n in range(9):
            program = make_program(f"Program {n}")
            role = "mentee" if n % 2 else "mentor"
            join(many, role, program)
            other = make_user("mentor" if role == "mentee" else "mentee", program=program)
            db.session.add(Match(program_id=program.id, origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED,
                                 mentee_id=many.id if role == "mentee" else other.id,
                                 mentor_id=other.id if role == "mentee" else many.id))
        make_pair("Pair Mentee", "Pair Mentor")
        db.session.commit()
        del two
        db.session.remove()
    assert _home_statements(app, "two@lab.example.org") == _home_statements(app, "many@lab.example.org") <= HOME


def test_a_deleted_account_leaves_its_programs(app_ctx):
    match = make_pair("Leaving Mentee", "Staying Mentor")
    mentee = match.mentee
    elsewhere = make_program("Elsewhere")
    join(mentee, "mentor", elsewhere)
    coordinated = make_program("Coordinated")
    from mentormatch.services import programs

    programs.appoint_coordinator(coordinated, mentee)
    assert delete_account(mentee, PASSWORD)
    db.session.expire_all()
    rows = {m.program_id: m for m in db.session.scalars(db.select(Membership).where(Membership.user_id == mentee.id))}
    # Where she had a match the membership stays, "left" (the pair's history names the program); elsewhere it goes.
    assert list(rows) == [match.program_id] and rows[match.program_id].status == MembershipStatus.LEFT
    assert rows[match.program_id].tags == []
    assert not mentee.coordinates(coordinated.id)


def test_someone_who_left_a_program_can_join_it_again_on_either_side(app, client, login):
    from mentormatch.services.console import people

    with app.app_context():
        program = default_program()
        member = make_user("mentor", name="Ray Returning")
        people.change_membership(program, member, "left", make_user("coordinator"))
        email, program_id = member.email, program.id
        db.session.remove()
    login(email)
    listed = client.get("/programs/").get_data(as_text=True)
    assert f"/programs/{program_id}/join" in listed
    response = client.post(f"/programs/{program_id}/join", data={"role": "mentee", "goals": ["supervisor"]})
    assert response.status_code == 302
    with app.app_context():
        again = db.session.scalars(db.select(Membership).where(Membership.program_id == program_id,
                                                                Membership.user.has(email=email))).one()
        assert (again.role, again.status, again.codes("goal")) == ("mentee", "active", ["supervisor"])
