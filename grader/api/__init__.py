"""The REST API (version 1) for students: tokens, submissions, results."""
