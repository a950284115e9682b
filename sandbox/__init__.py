"""The practice CRM: one private sandbox per learner, mounted by the portal at /sandbox."""
