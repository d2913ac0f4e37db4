from __future__ import annotations

from django import forms

from survivors_justice.partners.models import Borough, Need
from survivors_justice.survivors.models import Language


class DirectorySearchForm(forms.Form):
    need = forms.ChoiceField(required=False, choices=[("", "Any need"), *Need.choices],
                             widget=forms.Select(attrs={"class": "usa-select"}))
    language = forms.ChoiceField(required=False, choices=[("", "Any language"),
                                                          *Language.choices],
                                 widget=forms.Select(attrs={"class": "usa-select"}))
    borough = forms.ChoiceField(required=False, choices=[("", "Any borough"), *Borough.choices],
                                widget=forms.Select(attrs={"class": "usa-select"}))


class EntryForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"class": "usa-textarea",
                                                                "rows": 4}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": "usa-input"}))
    website = forms.URLField(required=False, assume_scheme="https",
                             widget=forms.URLInput(attrs={"class": "usa-input"}))


class CapacityForm(forms.Form):
    service = forms.IntegerField(widget=forms.HiddenInput)
    capacity = forms.IntegerField(required=False, min_value=0,
                                  widget=forms.NumberInput(attrs={"class": "usa-input"}))
