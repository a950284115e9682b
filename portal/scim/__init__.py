"""SCIM 2.0 provisioning (RFC 7643/7644) at /scim/v2: the HR directory creates, changes,
disables and deletes accounts and moves people between departments.

scim2-server speaks the protocol; `storage.SqlStorage` maps its resources onto the
portal's users and departments, and `views` serves it behind admin-made bearer tokens.
"""
