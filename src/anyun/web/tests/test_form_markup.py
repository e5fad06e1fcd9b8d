"""Form fields render their help and errors under the ids Django's aria-describedby names,
and a refused form opens with a summary linking to each field in error."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory


class _Form(forms.Form):
    code = forms.CharField(label="Code", help_text="The six digits in the SMS.")
    name = forms.CharField(label="Name", required=False)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Too many attempts.")


def _render(template: str, **context: object) -> str:
    return render_to_string(template, {"request": RequestFactory().get("/"), **context})


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_every_id_a_field_is_described_by_is_on_the_page() -> None:
    form = _Form(data={"code": "", "name": "Li"})
    assert not form.is_valid()

    html = _render("web/_form.html", form=form)

    code = re.search(r"<input[^>]*\bname=\"code\"[^>]*>", html)
    assert code is not None
    assert 'aria-invalid="true"' in code.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', code.group(0))
    assert described is not None
    assert described.group(1).split() == ["id_code_helptext", "id_code_error"]
    assert {"id_code_helptext", "id_code_error"} <= _ids(html)
    assert '<small class="help" id="id_code_helptext">The six digits in the SMS.</small>' in html
    assert re.search(r'<p class="error" id="id_code_error">[^<]+</p>', html)
    # A field without help or error is described by nothing.
    name = re.search(r"<input[^>]*\bname=\"name\"[^>]*>", html)
    assert name is not None and "aria-describedby" not in name.group(0)


def test_a_refused_form_opens_with_a_summary_linking_to_its_fields() -> None:
    form = _Form(data={"code": ""})
    assert not form.is_valid()

    html = _render("web/_form.html", form=form)

    summary = html[: html.index('class="field')]
    assert "data-error-summary" in summary and 'role="alert"' in summary
    assert "<li>Too many attempts.</li>" in summary
    assert re.search(r'<li><a href="#id_code">Code: [^<]+</a></li>', summary)


def test_the_check_in_field_template_ties_help_and_error_too() -> None:
    form = _Form(data={"code": ""})
    assert not form.is_valid()

    html = _render("monitoring/_field.html", field=form["code"])

    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    assert {"id_code_helptext", "id_code_error"} <= _ids(html)


def test_a_valid_form_has_no_summary() -> None:
    form = _Form(data={"code": "123456"})
    form.is_valid()
    form.errors.clear()

    assert "data-error-summary" not in _render("web/_form.html", form=form)
