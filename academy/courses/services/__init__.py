"""Course services, by concern: catalogue (what learners find), progress (enrolment and study),
authoring (what trainers change) and versioning (drafts, copies and publication).

They take plain values and models, flush, and never commit.
"""
