"""Dealers, users, roles, login and logout."""
