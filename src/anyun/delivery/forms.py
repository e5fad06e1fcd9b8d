from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AddressForm(forms.Form):
    label = forms.CharField(
        label=_("Name of this address (e.g. home)"), max_length=40, required=False
    )
    recipient = forms.CharField(label=_("Recipient"), max_length=60)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)


class PickupForm(forms.Form):
    code = forms.CharField(
        label=_("Pick-up code (type it or scan her QR code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class FailForm(forms.Form):
    note = forms.CharField(label=_("What the courier said"), max_length=200, required=False)
