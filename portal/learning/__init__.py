"""Learning: the learner's home, catalogue, lessons, quizzes, exercises and certificates."""
