"""Quizzes: a question bank per course, quizzes, attempts graded on the server, GIFT, item analysis."""
