"""Dashboard: the executive view of adoption and readiness per department."""
