"""Course services, by concern: catalogue (what learners find), progress (enrolment and study),
authoring (what trainers change about a course: address, details, co-owners), content (its
outcomes, modules and lessons) and versioning (drafts, copies and publication).

They take plain values and models, flush, and never commit.
"""
