"""Authoring: trainers build, publish and assign courses and follow progress."""
