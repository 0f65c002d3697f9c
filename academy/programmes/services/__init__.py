"""Programme services, by responsibility. Each takes plain values and models, flushes and never commits.

- authoring.py      programmes and their parts: create, edit, outcomes, courses, order, publication
- scheduling.py     session parts and their dates: add, more dates, changes told to participants
- enrolment.py      finding programmes, enrolling (and so in the courses), leaving
- seats.py          registering for a session: seats, the waiting list, who moves up
- sessions.py       running a session: cancellation, trainers' lists, the roster, attendance
- progress.py       a learner's standing per part (constant number of queries)
- mastery.py        learning-outcome mastery across the programme's courses
- certification.py  what the programme certificate says, and keeping it in line with the standing
"""
