"""Adoption after go-live: usage of the organisation's real CRM, per user and period.

Usage comes in as CSV exports (with presets for the vendors' reports and a mapping
screen for any other file) or pushed as JSON with an adoption token; either way a
period imported again replaces what was there.
"""
