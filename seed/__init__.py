"""Faker builders shared by the demo seed and the test fixtures."""
