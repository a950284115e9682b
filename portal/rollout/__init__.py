"""Rollout: plans, phases, milestones, goals, waves, gates and sign-off."""
