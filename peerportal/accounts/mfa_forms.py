"""allauth's MFA code forms with a numeric keypad on phones (settings.MFA_FORMS).

Authenticator codes and allauth's recovery codes are digits only, so the code field asks
for the numeric keyboard (``inputmode``) and lets the browser offer a one-time code from
a text message or password manager (``autocomplete``).
"""

from __future__ import annotations

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm

CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class _NumericCode:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(CODE_ATTRS)


class NumericAuthenticateForm(_NumericCode, AuthenticateForm):
    pass


class NumericReauthenticateForm(_NumericCode, ReauthenticateForm):
    pass


class NumericActivateTOTPForm(_NumericCode, ActivateTOTPForm):
    pass
