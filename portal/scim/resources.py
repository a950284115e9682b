"""The SCIM resources the portal serves, and what the service announces.

The core User and Group schemas keep only the attributes the portal stores, so
/Schemas tells a directory exactly what survives a round trip and anything else is
refused as an unknown attribute. Attributes the portal derives from another one are
read-only: `name.formatted` and `emails` come from `displayName` and `userName`,
`locale` from `preferredLanguage`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    External,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

LANGUAGES = ("en", "ur", "hi")
MAX_RESULTS = 200


class Name(ComplexAttribute):
    formatted: str | None = None
    """The person's full name, as the portal shows it."""


class EmailAddress(ComplexAttribute):
    """The account's email, as RFC 7643's emails sub-attributes. Not scim2-models' Email,
    whose check refuses reserved domains such as the demo organisation's .test."""

    value: str | None = None
    type: str | None = Field(None, examples=["work"])
    primary: bool | None = None


class User(Resource[Any]):
    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true, CaseExact.false] = None
    """The email address the person signs in with."""

    name: Annotated[Name | None, Mutability.read_only] = None
    display_name: str | None = None
    """The person's full name."""

    title: str | None = None
    """Their job title."""

    preferred_language: str | None = Field(None, examples=list(LANGUAGES))
    """The portal's language for them: en, ur or hi."""

    locale: Annotated[str | None, Mutability.read_only] = None
    active: Annotated[bool | None, Required.true] = True
    """False disables the account and ends its sessions at once."""

    emails: Annotated[list[EmailAddress] | None, Mutability.read_only] = None


class GroupMember(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of a user in the department."""

    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    display: Annotated[str | None, Mutability.read_only] = None


class Group(Resource[Any]):
    """A department; its members are the people in it."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    members: list[GroupMember] | None = None


BEARER_TOKEN = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="Bearer token",
    description="A token an administrator creates on the portal's SCIM tokens page",
    spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
    primary=True,
)


def provider() -> ScimProvider:
    """Users and Groups with PATCH and filters; no bulk, sorting, ETags or passwords."""
    return ScimProvider(
        models=[User, Group],
        config=ServiceProviderConfig(
            patch=Patch(supported=True),
            bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
            filter=Filter(supported=True, max_results=MAX_RESULTS),
            change_password=ChangePassword(supported=False),
            sort=Sort(supported=False),
            etag=ETag(supported=False),
            authentication_schemes=[BEARER_TOKEN],
        ),
    )
