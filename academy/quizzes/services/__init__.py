"""Quiz services: bank (questions, GIFT), quizzes (settings, slots), attempts (taking and grading)."""
