"""Accounts: users, roles, departments, sign-in, and admin user management."""
