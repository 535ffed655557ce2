"""Annotations use cases: who may do what in a project (access), and the projects, labels
and members themselves."""
