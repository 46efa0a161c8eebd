"""What an LMS reads: a course's assignments, grades (as a change feed), roster and gradebook CSV.

Only course-bound machine tokens (`Authorization: Bearer …`, lms.tokens) read
these endpoints, each within the scopes it was given; a student's or an
instructor's own credentials do not (instructors have the staff gradebook,
which builds the same CSV through grades.gradebook).
"""
