"""Every write of the accounts app, by concern: sign-up and activation (`signup`), the second
factor and the staff's proof of their mailbox (`second_factor`), API tokens (`api_tokens`), the
language of service (`language`), and the Administration area's roles, units and services
(`administration`). Each writes its row of the access log. Import from
`guichet.accounts.services`.
"""

from guichet.accounts.services.administration import (
    REASON_MAX_LENGTH,
    AdministrationError,
    membership_grant,
    membership_revoke,
    role_grant,
    role_grant_revoke,
    unit_create,
    unit_service_assign,
    unit_service_release,
)
from guichet.accounts.services.api_tokens import api_token_create, api_token_revoke
from guichet.accounts.services.language import (
    LanguageError,
    language_of_service_declare,
    language_of_service_end,
    language_of_service_moved_to_quebec,
    language_of_service_note_expiry,
)
from guichet.accounts.services.second_factor import (
    ENROLMENT_PROOF_MAX_AGE,
    EnrolmentCodeCheck,
    EnrolmentCodeOutcome,
    EnrolmentCodeSent,
    enrolment_code_check,
    enrolment_code_send,
    enrolment_mailbox_proved,
    totp_device_confirm,
    totp_device_remove,
    totp_device_verify,
)
from guichet.accounts.services.signup import (
    SIGNUP_LINK_MAX_AGE,
    LinkStatus,
    signup_activate,
    signup_link_check,
    signup_token,
    signup_user,
    user_sign_up,
)

__all__ = [
    "LinkStatus",
    "SIGNUP_LINK_MAX_AGE",
    "signup_activate",
    "signup_link_check",
    "signup_token",
    "signup_user",
    "user_sign_up",
    "ENROLMENT_PROOF_MAX_AGE",
    "EnrolmentCodeCheck",
    "EnrolmentCodeOutcome",
    "EnrolmentCodeSent",
    "enrolment_code_check",
    "enrolment_code_send",
    "enrolment_mailbox_proved",
    "totp_device_confirm",
    "totp_device_remove",
    "totp_device_verify",
    "api_token_create",
    "api_token_revoke",
    "LanguageError",
    "language_of_service_declare",
    "language_of_service_end",
    "language_of_service_moved_to_quebec",
    "language_of_service_note_expiry",
    "AdministrationError",
    "REASON_MAX_LENGTH",
    "membership_grant",
    "membership_revoke",
    "role_grant",
    "role_grant_revoke",
    "unit_create",
    "unit_service_assign",
    "unit_service_release",
]
