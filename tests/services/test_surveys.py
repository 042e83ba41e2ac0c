"""Surveys: occasions open on their days, what is due, answering once, and the thresholds on what coordinators read."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from mentormatch.extensions import db
from mentormatch.models import AgreementStatus, SurveyQuestion, SurveyResponse
from mentormatch.services import agreements, surveys
from mentormatch.services.agreements import TermsInput
from mentormatch.services.surveys import SurveyError, open_occasions, stage_of
from tests.factories import default_program, make_pair, make_program, make_user
from tests.querycount import count_statements

START = date(2027, 3, 1)


def at(day: int, hour: int = 12) -> datetime:
    """A moment on day ``day`` after START (day 0 is the start itself), UTC."""
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), timezone.utc) + timedelta(hours=hour)


def started(mentee_name="Dana Okafor", mentor_name="Grace Ho", program=None, start=START):
    """An agreement whose first confirmed terms start on ``start``."""
    match = make_pair(mentee_name, mentor_name, program=program)
    agreement = match.agreement
    version = agreements.propose_terms(agreement, match.mentee, TermsInput(
        frequency="monthly", mode="virtual", start_date=start, end_date=start + timedelta(days=300),
        topics=["specialty:hematology"]), on=start)
    agreements.confirm_terms(agreement, match.mentor, version.number)
    return agreement


def end(agreement, when: datetime) -> None:
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    agreement.ended_at = when  # ending stamps the wall clock; the test decides when it was
    db.session.commit()


def ask(program, stage: str, kind: str = "scale", text: str | None = None) -> SurveyQuestion:
    coordinator = program.coordinators[0] if program.coordinators else make_user("coordinator", program=program)
    return surveys.add_question(program, coordinator, stage, kind, text or f"How is the {stage} going ({kind})?")


def occasions(found, user_id=None) -> set[tuple[int, int, str]]:
    return {(s.user_id, s.agreement_id, s.occasion) for s in found if user_id is None or s.user_id == user_id}


# The occasions, as pure rules.

@pytest.mark.parametrize("day, expected", [
    (-1, []), (0, ["kickoff"]), (29, ["kickoff"]), (30, ["kickoff", "pulse-30"]), (89, ["kickoff", "pulse-30"]),
    (90, ["kickoff", "pulse-90"]), (149, ["kickoff", "pulse-90"]), (150, ["kickoff", "pulse-150"]),
    (210, ["kickoff", "pulse-210"])])
def test_kickoff_opens_on_the_start_and_only_the_latest_pulse_is_open(day, expected):
    assert open_occasions(START, AgreementStatus.ACTIVE, None, at(day)) == expected


def test_closing_is_open_for_30_days_after_the_end_and_nothing_else_is():
    ended = at(100, 9)
    assert open_occasions(START, AgreementStatus.ENDED, ended, ended) == ["closing"]
    assert open_occasions(START, AgreementStatus.ENDED, ended, ended + timedelta(days=30, seconds=-1)) == ["closing"]
    assert open_occasions(START, AgreementStatus.ENDED, ended, ended + timedelta(days=30)) == []
    assert open_occasions(START, AgreementStatus.ENDED, ended.replace(tzinfo=None), ended) == ["closing"]  # SQLite


def test_an_agreement_without_confirmed_terms_opens_no_occasion():
    assert open_occasions(None, AgreementStatus.DRAFT, None, at(40)) == []
    assert open_occasions(None, AgreementStatus.ENDED, at(40), at(41)) == []


@pytest.mark.parametrize("occasion, stage", [
    ("kickoff", "kickoff"), ("closing", "closing"), ("pulse-30", "pulse"), ("pulse-90", "pulse"),
    ("pulse-630", "pulse"), ("pulse-31", None), ("pulse-0", None), ("pulse-60", None), ("pulse-030", None),
    ("Kickoff", None), ("", None), ("pulse-", None)])
def test_occasion_names_are_parsed_strictly(occasion, stage):
    assert stage_of(occasion) == stage


# What is due.

def test_due_lists_exactly_the_unanswered_open_occasions_of_both_parties(app_ctx):
    program = default_program()
    ask(program, "kickoff"), ask(program, "pulse")  # no closing question: closing is never due
    agreement = started()
    mentee, mentor = agreement.match.mentee_id, agreement.match.mentor_id
    assert surveys.due(at(-1)) == []
    assert occasions(surveys.due(at(10))) == {(mentee, agreement.id, "kickoff"), (mentor, agreement.id, "kickoff")}
    assert occasions(surveys.due(at(30))) == {(who, agreement.id, occasion) for who in (mentee, mentor)
                                              for occasion in ("kickoff", "pulse-30")}
    assert occasions(surveys.due(at(90))) == {(who, agreement.id, occasion) for who in (mentee, mentor)
                                              for occasion in ("kickoff", "pulse-90")}
    found = next(s for s in surveys.due(at(90)) if s.user_id == mentee and s.occasion == "pulse-90")
    assert found == surveys.DueSurvey(mentee, program.id, agreement.id, "pulse", "pulse-90",
                                      f"/surveys/{agreement.id}/pulse-90",
                                      "Your 90-day pulse survey for the mentorship with Grace Ho")
    end(agreement, at(95))
    assert surveys.due(at(96)) == []


def test_answering_removes_the_occasion_from_due_for_that_person_only(app_ctx):
    program = default_program()
    question = ask(program, "kickoff")
    agreement = started()
    mentee = agreement.match.mentee
    surveys.submit(mentee, agreement.id, "kickoff", {question.id: 4}, at(3))
    assert occasions(surveys.due(at(4))) == {(agreement.match.mentor_id, agreement.id, "kickoff")}
    assert surveys.due_for(mentee, at(4)) == []
    assert [s.occasion for s in surveys.due_for(agreement.match.mentor, at(4))] == ["kickoff"]


def test_closing_is_due_after_the_end_for_30_days(app_ctx):
    program = default_program()
    ask(program, "closing", "text")
    agreement = started()
    assert surveys.due(at(50)) == []  # only a closing question, and the agreement runs
    end(agreement, at(60, 10))
    assert {s.occasion for s in surveys.due(at(61))} == {"closing"}
    assert surveys.due(at(60, 10) + timedelta(days=30)) == []


def test_a_stage_with_only_retired_questions_is_not_due(app_ctx):
    program = default_program()
    question = ask(program, "kickoff")
    started()
    surveys.retire_question(question, program.coordinators[0], at(0))
    assert surveys.due(at(5)) == []


def test_an_inactive_account_is_not_due_and_other_programs_are_not_mixed_in(app_ctx):
    program, other = default_program(), make_program("Night shift")
    ask(program, "kickoff")
    agreement = started()
    started("Ada Lin", "Bo Chen", program=other)  # its program asks nothing
    agreement.match.mentor.active = False
    db.session.commit()
    assert occasions(surveys.due(at(5))) == {(agreement.match.mentee_id, agreement.id, "kickoff")}


def test_a_draft_agreement_is_not_due(app_ctx):
    ask(default_program(), "kickoff")
    make_pair()
    assert surveys.due(at(5)) == []


def test_due_reads_in_the_same_number_of_queries_whatever_the_number_of_agreements(app_ctx):
    program = default_program()
    ask(program, "kickoff"), ask(program, "pulse")
    started("Mentee A", "Mentor A")
    db.session.expire_all()
    with count_statements() as few:
        assert len(surveys.due(at(40))) == 4
    for n in range(4):
        started(f"Mentee {n}", f"Mentor {n}")
    db.session.expire_all()
    with count_statements() as many:
        assert len(surveys.due(at(40))) == 20
    assert len(many) == len(few) <= 3


# Answering.

def test_a_second_submission_of_the_same_occasion_is_refused(app_ctx):
    question = ask(default_program(), "kickoff")
    agreement = started()
    surveys.submit(agreement.match.mentee, agreement.id, "kickoff", {question.id: 5}, at(1))
    with pytest.raises(SurveyError, match="already answered"):
        surveys.submit(agreement.match.mentee, agreement.id, "kickoff", {question.id: 2}, at(2))
    assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 1


def test_only_a_party_answers_and_only_while_the_occasion_is_open(app_ctx):
    program = default_program()
    kickoff, pulse = ask(program, "kickoff"), ask(program, "pulse")
    agreement = started()
    stranger = make_user("mentee")
    with pytest.raises(SurveyError, match="Only the mentee and mentor"):
        surveys.submit(stranger, agreement.id, "kickoff", {kickoff.id: 3}, at(1))
    with pytest.raises(SurveyError, match="closed"):
        surveys.submit(agreement.match.mentee, agreement.id, "pulse-30", {pulse.id: 3}, at(29))
    with pytest.raises(SurveyError, match="closed"):  # pulse-90 opened, so pulse-30 closed
        surveys.submit(agreement.match.mentee, agreement.id, "pulse-30", {pulse.id: 3}, at(90))
    response = surveys.submit(agreement.match.mentee, agreement.id, "pulse-90", {pulse.id: 3}, at(90))
    assert (response.stage, response.role, response.program_id) == ("pulse", "mentee", program.id)
    end(agreement, at(91))
    with pytest.raises(SurveyError, match="closed"):
        surveys.submit(agreement.match.mentor, agreement.id, "kickoff", {kickoff.id: 3}, at(92))


def test_scale_and_yes_no_are_required_and_text_is_optional_and_bounded(app_ctx):
    program = default_program()
    scale, yes_no, text = ask(program, "kickoff"), ask(program, "kickoff", "yes_no"), ask(program, "kickoff", "text")
    agreement = started()
    mentee = agreement.match.mentee
    for bad, fault in (({yes_no.id: "yes"}, scale), ({scale.id: 6, yes_no.id: "yes"}, scale),
                       ({scale.id: "0", yes_no.id: "no"}, scale), ({scale.id: 3}, yes_no),
                       ({scale.id: 3, yes_no.id: "maybe"}, yes_no),
                       ({scale.id: 3, yes_no.id: "no", text.id: "x" * 2001}, text)):
        with pytest.raises(SurveyError) as refused:
            surveys.submit(mentee, agreement.id, "kickoff", bad, at(1))
        assert refused.value.question_id == fault.id
    response = surveys.submit(mentee, agreement.id, "kickoff", {scale.id: "3", yes_no.id: "no", text.id: "  "}, at(1))
    assert sorted((a.question_id, a.scale, a.yes) for a in response.answers) == [(scale.id, 3, None),
                                                                                 (yes_no.id, None, False)]


def test_a_changed_visibility_rule_is_read_again_before_answers_are_saved(app_ctx):
    program = default_program()
    question = ask(program, "kickoff")
    agreement = started()
    surveys.set_named(program, True, program.coordinators[0])
    with pytest.raises(SurveyError, match="read the note again"):
        surveys.submit(agreement.match.mentee, agreement.id, "kickoff", {question.id: 3}, at(1), named_seen=False)
    surveys.submit(agreement.match.mentee, agreement.id, "kickoff", {question.id: 3}, at(1), named_seen=True)


# What coordinators read: survey thresholds hold.

def answered_by(count: int, program, answers_of):
    """``count`` people (mentees and mentors of fresh pairs) answer the kick-off; answers_of(i) gives their answers."""
    people = []
    for n in range((count + 1) // 2):
        agreement = started(f"Mentee {n}", f"Mentor {n}", program=program)
        people += [(agreement.match.mentee, agreement), (agreement.match.mentor, agreement)]
    for i, (person, agreement) in enumerate(people[:count]):
        surveys.submit(person, agreement.id, "kickoff", answers_of(i), at(2))
    return people[:count]


def test_survey_thresholds_hold_aggregates_are_hidden_with_4_respondents_and_shown_with_5(app_ctx):
    program = default_program()
    scale, yes_no, text = ask(program, "kickoff"), ask(program, "kickoff", "yes_no"), ask(program, "kickoff", "text")
    values = [5, 4, 4, 2, 1]
    said = ["Great start", "", "more structure please", "Agenda helped", "ok"]

    def answers(i):
        return {scale.id: values[i], yes_no.id: "yes" if i < 3 else "no", text.id: said[i]}

    people = answered_by(5, program, answers)
    # Four of them first: the fifth answer is undone to look at four.
    fifth = db.session.scalar(db.select(SurveyResponse).where(SurveyResponse.user_id == people[4][0].id))
    db.session.delete(fifth)
    db.session.commit()
    hidden = {r.question.id: r for r in surveys.results(program, "kickoff")}
    assert all(not r.shown and r.note == "fewer than 5 answers: hidden" for r in hidden.values())
    assert hidden[scale.id].respondents == 4 and hidden[scale.id].mean is None
    assert hidden[scale.id].distribution == {} and hidden[yes_no.id].share_yes is None
    assert hidden[text.id].texts == [] and hidden[text.id].respondents == 3  # one left the text blank

    surveys.submit(people[4][0], people[4][1].id, "kickoff", answers(4), at(3))
    shown = {r.question.id: r for r in surveys.results(program, "kickoff")}
    assert shown[scale.id].shown and shown[scale.id].respondents == 5
    assert shown[scale.id].mean == pytest.approx(3.2)
    assert shown[scale.id].distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
    assert (shown[yes_no.id].yes, shown[yes_no.id].answers, shown[yes_no.id].share_yes) == (3, 5, pytest.approx(0.6))
    assert not shown[text.id].shown and shown[text.id].texts == []  # only 4 people wrote something


def test_text_answers_are_listed_without_names_once_5_people_wrote_one(app_ctx):
    program = default_program()
    text = ask(program, "kickoff", "text")
    said = ["zebra", "Apple pie", "mango", "Kiwi", "banana"]
    answered_by(5, program, lambda i: {text.id: said[i]})
    [result] = surveys.results(program, "kickoff")
    assert result.shown and result.texts == ["Apple pie", "banana", "Kiwi", "mango", "zebra"]


def test_several_pulses_of_one_person_count_as_one_respondent(app_ctx):
    program = default_program()
    pulse = ask(program, "pulse")
    people = answered_by(0, program, dict)  # nobody yet
    assert people == []
    agreements_ = [started(f"Mentee {n}", f"Mentor {n}") for n in range(2)]
    for agreement in agreements_:
        for occasion, day in (("pulse-30", 30), ("pulse-90", 90)):
            for person in (agreement.match.mentee, agreement.match.mentor):
                surveys.submit(person, agreement.id, occasion, {pulse.id: 4}, at(day))
    [result] = surveys.results(program, "pulse")
    assert (result.respondents, result.shown) == (4, False)  # 8 answers, 4 people
    assert surveys.occasions_answered(program, "pulse") == ["pulse-30", "pulse-90"]


def test_named_answers_are_refused_when_the_program_says_no_and_shown_when_yes(app_ctx):
    program = default_program()
    scale = ask(program, "kickoff")
    coordinator = program.coordinators[0]
    first = started()
    surveys.submit(first.match.mentee, first.id, "kickoff", {scale.id: 2}, at(1))
    with pytest.raises(SurveyError, match="only as totals"):
        surveys.named_answers(program, "kickoff", 1, 20)
    surveys.set_named(program, True, coordinator)
    surveys.submit(first.match.mentor, first.id, "kickoff", {scale.id: 5}, at(2))  # after the switch
    page = surveys.named_answers(program, "kickoff", 1, 20)
    # The mentee answered under "totals only": their answer stays out of the named list.
    assert [(r.name, r.role, [w for _, w in r.answers]) for r in page.items] == [("Grace Ho", "mentor", ["5"])]
    surveys.set_named(program, False, coordinator)
    with pytest.raises(SurveyError):
        surveys.named_answers(program, "kickoff", 1, 20)


# Questions.

def test_a_question_with_answers_is_retired_never_deleted_and_one_without_is_deleted(app_ctx):
    program = default_program()
    coordinator = make_user("coordinator", program=program)
    answered, unanswered = ask(program, "kickoff"), ask(program, "kickoff", "yes_no")
    agreement = started()
    surveys.submit(agreement.match.mentee, agreement.id, "kickoff", {answered.id: 4, unanswered.id: "yes"}, at(1))
    surveys.delete_question(surveys.add_question(program, coordinator, "kickoff", "text", "Anything else?"),
                            coordinator)
    with pytest.raises(SurveyError, match="retire it instead"):
        surveys.delete_question(answered, coordinator)
    surveys.retire_question(answered, coordinator, at(2))
    assert [q.id for q in surveys.questions_for(program.id, "kickoff")] == [unanswered.id]
    assert [r.question.id for r in surveys.results(program, "kickoff")] == [unanswered.id, answered.id]
    assert db.session.get(SurveyQuestion, answered.id).retired_at is not None


def test_questions_are_added_in_order_moved_and_edited_by_their_programs_coordinators_only(app_ctx):
    program, other = default_program(), make_program("Night shift")
    coordinator, outsider = make_user("coordinator", program=program), make_user("coordinator", program=other)
    a, b, c = (surveys.add_question(program, coordinator, "pulse", "scale", text) for text in "ABC")
    surveys.move_question(c, coordinator, -1)
    surveys.move_question(a, coordinator, -1)  # already first: stays
    assert [q.text for q in surveys.questions_for(program.id, "pulse")] == ["A", "C", "B"]
    surveys.edit_question(b, coordinator, "  Is   the pace right? ")
    assert b.text == "Is the pace right?"
    for action in (lambda: surveys.add_question(program, outsider, "pulse", "scale", "D"),
                   lambda: surveys.edit_question(a, outsider, "X"), lambda: surveys.delete_question(a, outsider),
                   lambda: surveys.set_named(program, True, outsider)):
        with pytest.raises(SurveyError, match="coordinators"):
            action()
    with pytest.raises(SurveyError):
        surveys.add_question(program, coordinator, "pulse", "essay", "E")
    with pytest.raises(SurveyError):
        surveys.add_question(program, coordinator, "pulse", "text", "   ")
    assert surveys.get_question(other, a.id) is None
