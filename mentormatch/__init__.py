"""MentorMatch: mentoring program software for medical laboratory professionals."""
