"""Her mood and health checks on a 375 px phone in zh-Hans: she completes the health
self-assessment (no warning sign; her blood pressure, sleep, a "yes" to a mood question), is
offered the EPDS, answers it with item 10 "hardly ever" and is shown the crisis guidance at
once; her responsible clinician sees the screening on her desktop page.

Pages are driven by ids, names, `data-testid` attributes and URLs; the texts compared are
translated here in the page's own language.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from anyun.accounts.models import User
from anyun.careteam.services import care_team_assign
from anyun.monitoring.models import Reading
from anyun.wellbeing.messages import band_label
from anyun.wellbeing.models import Screening, SelfAssessment
from anyun.wellbeing.tests.helpers import epds
from tests.browser.conftest import AsgiServer
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    SCREENSHOTS,
    axe_check,
    screenshot,
    staff_sign_in,
    wait_for_sms_code,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def test_she_completes_the_self_assessment_and_the_epds_on_her_phone(
    asgi_server: AsgiServer,
    open_page: OpenPage,
    memory_sms: list[tuple[str, str]],
    make_woman: Callable[..., User],
    make_clinician: Callable[..., User],
) -> None:
    base = asgi_server.url
    woman = make_woman(pregnant_weeks=30)
    head = make_clinician(head=True)
    clinician = make_clinician()
    care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)

    phone = open_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_phone", woman.phone)
    phone.check("#id_accept_terms")
    phone.click("#phone-form button[type=submit]")
    expect(phone.locator("#code-form")).to_be_visible()
    phone.fill("#id_code", wait_for_sms_code(memory_sms, woman.phone))
    phone.click("#code-form button[type=submit]")
    phone.wait_for_url(f"{base}/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")

    # From her home page to her checks: the due screening is shown.
    phone.click("[data-testid=wellbeing-home-link]")
    phone.wait_for_url(f"{base}/wellbeing/")
    expect(phone.locator("[data-testid=screening-due]")).to_be_visible()
    axe_check(phone)
    screenshot(phone, "wellbeing-home.png")

    # Step 1: the warning signs; none ticked, she goes on.
    phone.click("[data-testid=start-self-assessment]")
    expect(phone.locator("[data-testid=symptom-picker]")).to_be_visible()
    axe_check(phone)
    phone.click("[data-testid=check-next]")
    phone.wait_for_url(f"{base}/wellbeing/check/details/")

    # Step 2: she forgets a mood question; the form is not sent and nothing is lost (the
    # browser asks for it; the server's error beside the field is tested without a browser).
    phone.fill("#id_systolic", "118")
    phone.fill("#id_diastolic", "76")
    phone.check("#id_sleep_quality_2")  # badly
    phone.fill("#id_sleep_hours", "5")
    phone.check("#id_mood_low_0")  # yes
    phone.check("#id_smoking_0")  # never
    phone.check("#id_alcohol_0")  # none
    phone.check("#id_medicines_0")  # folic acid
    phone.click("[data-testid=check-submit]")
    expect(phone).to_have_url(f"{base}/wellbeing/check/details/")
    assert not SelfAssessment.objects.exists()
    expect(phone.locator("#id_systolic")).to_have_value("118")
    expect(phone.locator("#id_mood_low_0")).to_be_checked()
    phone.check("#id_mood_little_interest_1")  # no
    axe_check(phone)
    screenshot(phone, "wellbeing-self-assessment.png")
    phone.click("[data-testid=check-submit]")
    phone.wait_for_url(f"{base}/wellbeing/checks/*/")

    # Her summary: the mood question was positive, so the EPDS is offered.
    expect(phone.locator("[data-testid=check-summary]")).to_be_visible()
    expect(phone.locator("[data-testid=offer-epds]")).to_be_visible()
    expect(phone.locator("[data-testid=check-advice]")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("mood_screen_positive")
    axe_check(phone)
    screenshot(phone, "wellbeing-self-assessment-summary.png")
    assessment = SelfAssessment.objects.get()
    assert assessment.mood_positive and not assessment.stopped
    assert Reading.objects.filter(woman=woman, batch=assessment.reading_batch).count() == 1

    # The EPDS: one page, ten questions, progress shown; item 10 "hardly ever" (1 point).
    phone.click("[data-testid=offer-epds]")
    phone.wait_for_url(f"{base}/wellbeing/screen/epds/?from=mood_screen")
    expect(phone.locator("[data-testid=scale-item]")).to_have_count(10)
    expect(phone.locator("[data-testid=demo-wording]")).to_be_visible()
    answers = epds([1, 1, 0, 1, 0, 0, 0, 1, 0, 1])
    for item, option in answers.items():
        phone.check(f"#id_item_{item}_{option}")
    expect(phone.locator("#scale-progress")).to_have_attribute("value", "10")
    box = phone.locator("label[for=id_item_1_0]").bounding_box()
    assert box is not None and box["height"] >= 48
    axe_check(phone)
    screenshot(phone, "wellbeing-epds.png")
    # Scrolled down the page, the progress stays in view under the top bar.
    phone.locator("#id_item_6").scroll_into_view_if_needed()
    expect(phone.locator("#scale-progress")).to_be_in_viewport()
    phone.screenshot(path=str(SCREENSHOTS / "wellbeing-epds-scrolled.png"))
    phone.click("[data-testid=scale-submit]")
    phone.wait_for_url(f"{base}/wellbeing/screenings/*/")

    # At once: the crisis guidance first, then her result.
    expect(phone.locator("[data-testid=crisis-guidance]")).to_be_visible()
    expect(phone.locator("[data-testid=screening-score]")).to_have_text("5/30")
    with translation.override("zh-hans"):
        below = band_label("below_cutoff")
    expect(phone.locator("[data-testid=screening-band]")).to_have_text(below)
    axe_check(phone)
    screenshot(phone, "wellbeing-epds-result-crisis.png")
    screening = Screening.objects.get()
    assert (screening.total, screening.safety_trigger, screening.context) == (
        5,
        "epds_item_10",
        "mood_screen",
    )
    assert screening.safety_alarm is not None

    # Her clinician opens her overview and her mental-health page.
    desk = open_page(viewport=DESKTOP_VIEWPORT)
    staff_sign_in(desk, base, clinician)
    desk.goto(f"{base}/clinic/patients/{woman.public_id}/")
    desk.click("[data-testid=wellbeing-link]")
    desk.wait_for_url(f"{base}/wellbeing/clinic/patients/{woman.public_id}/")
    expect(desk.locator("[data-testid=screening-row]")).to_have_count(1)
    expect(desk.locator("[data-testid=assessment]")).to_have_count(1)
    axe_check(desk)
    screenshot(desk, "wellbeing-clinician.png")
