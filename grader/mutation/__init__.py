"""Mutation testing of check suites: mutants of a reference solution, graded through the sandbox."""
