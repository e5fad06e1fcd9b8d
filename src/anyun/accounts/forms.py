from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Not required here: the service refuses a send without it, with its own message, the
    # same for the web and the API.
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the user agreement and the privacy notice"),
        required=False,
    )


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(
        label=_("Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class IdentityForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=40)
    national_id = forms.CharField(label=_("National ID number"), max_length=20)
    guardian_name = forms.CharField(
        label=_("Guardian's name (if you are under 18)"), max_length=40, required=False
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's mobile number"), max_length=20, required=False
    )


class StaffLoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    token = forms.CharField(
        label=_("One-time code from your authenticator"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data
