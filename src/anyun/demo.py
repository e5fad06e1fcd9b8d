"""Demo data for the embedded set-up, built through the same services the product uses.

One hospital and its obstetrics department; three clinicians with complete credentials and
one whose internet-care admission has expired; a pharmacist, a nurse, a quality manager, the
three administrators; seven women at different gestational ages, verified and consented:
six seen in person (eligible for online follow-up), one registered but not yet seen (not
eligible, DOMAIN section 9); schedules for both modes, and one finished consultation with its
signed record.

Development only: `anyun run` loads it into an empty development database and `anyun demo`
loads it on request; production refuses to load it and refuses to start on a database that
holds any demo account. Each demo account's TOTP key is random, made when the demo is loaded
(`anyun totp <username>` prints its current code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun.accounts import services as accounts
from anyun.accounts.models import Role, User
from anyun.assessment.services import GradingInput, case_plan_update, grading_record
from anyun.careteam.services import care_team_assign
from anyun.clinical.national_id import national_id_check_character
from anyun.consent.services import consent_sign, documents_current
from anyun.consultation import services as consultation
from anyun.consultation.models import Consultation
from anyun.core import crypto
from anyun.monitoring.services import ReadingInput, plan_set, readings_record
from anyun.orders import services as orders
from anyun.pregnancy.selectors import current_pregnancy_of, pregnancy_summary
from anyun.pregnancy.services import PregnancyInput, pregnancy_open
from anyun.scheduling.services import queue_accept, queue_join, schedule_rule_add
from anyun.staff import services as staff
from anyun.staff.models import CredentialKind, Department, DutyShift, Hospital, Title

DEMO_PASSWORD = "Anyun-Demo-2026"  # noqa: S105 - printed for the embedded demo only


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    role: str
    title: str = ""
    specialty: str = ""
    head: bool = False
    expired_admission: bool = False


STAFF = (
    DemoStaff(
        "dr_li",
        "李静",
        Role.CLINICIAN,
        Title.CHIEF_PHYSICIAN,
        "高危妊娠 High-risk pregnancy",
        head=True,
    ),
    DemoStaff(
        "dr_wang", "王芳", Role.CLINICIAN, Title.ATTENDING_PHYSICIAN, "产前保健 Antenatal care"
    ),
    DemoStaff(
        "dr_zhang", "张敏", Role.CLINICIAN, Title.ASSOCIATE_CHIEF_PHYSICIAN, "妊娠期糖尿病 GDM"
    ),
    DemoStaff(
        "dr_zhao",
        "赵丽",
        Role.CLINICIAN,
        Title.RESIDENT_PHYSICIAN,
        "产科 Obstetrics",
        expired_admission=True,
    ),
    DemoStaff("nurse_chen", "陈红", Role.NURSE, Title.NURSE_IN_CHARGE, "助产与随访 Midwifery"),
    DemoStaff(
        "pharm_liu",
        "刘洋",
        Role.PHARMACIST,
        Title.PHARMACIST_IN_CHARGE,
        "孕期用药 Medicines in pregnancy",
    ),
    DemoStaff("qm_sun", "孙伟", Role.QUALITY_MANAGER),
    DemoStaff("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
    DemoStaff("secadmin", "安全管理员", Role.SECURITY_ADMIN),
    DemoStaff("auditadmin", "审计管理员", Role.AUDIT_ADMIN),
)

# (name, age today, phone, weeks pregnant today). Ages, not birth dates: the demo loads on any
# day with women of the same ages (national ID numbers made from them by `demo_national_id`).
WOMEN = (
    ("刘小雨", 34, "13800000001", 8),
    ("陈思", 36, "13800000002", 14),
    ("杨柳", 38, "13800000003", 20),
    ("周晴", 31, "13800000004", 26),
    ("吴悦", 40, "13800000005", 33),
    ("郑佳", 33, "13800000006", 39),
    # Registered online, never seen in person: no grading, no clinic measurement, so online
    # consultation is closed to her until a visit (or accepted evidence of one).
    ("孙悦", 29, "13800000007", 9),
)


def demo_national_id(age: int, n: int) -> str:
    """A valid GB 11643 number of a woman `age` years old today, born in Beijing (110105),
    whose birthday was 30n+1 days ago."""
    today = timezone.localdate()
    anniversary = today.replace(year=today.year - age, day=min(today.day, 28))
    birth = anniversary - timedelta(days=30 * n + 1)
    first17 = f"110105{birth:%Y%m%d}{2 * n + 2:03d}"  # even 17th digit: a woman
    return first17 + national_id_check_character(first17)


def current_totp(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _credentials(profile: object, admin: User, *, expired_admission: bool, n: int) -> None:
    today = timezone.localdate()
    year = timedelta(days=365)
    numbers = {
        CredentialKind.PRACTISING_CERTIFICATE: f"11011000{n:07d}",
        CredentialKind.HOSPITAL_REGISTRATION: f"BJ-FY-{n:04d}",
        CredentialKind.MCH_CERTIFICATE: f"京母婴-{2020 + n}-{n:03d}",
        CredentialKind.INTERNET_ADMISSION: f"HLW-{n:04d}",
    }
    for kind, number in numbers.items():
        until: date | None = today + 3 * year
        if kind == CredentialKind.INTERNET_ADMISSION and expired_admission:
            until = today - timedelta(days=10)
        if kind == CredentialKind.PRACTISING_CERTIFICATE:
            until = None
        staff.credential_record(
            profile=profile,  # type: ignore[arg-type]
            kind=kind,
            number=number,
            issuer="北京市卫生健康委员会"
            if kind != CredentialKind.HOSPITAL_REGISTRATION
            else "安孕示范医院",
            valid_from=today - 2 * year,
            valid_until=until,
            recorded_by=admin,
        )


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo world once. Returns (login, role, how to sign in) rows to print."""
    hospital = staff.hospital_ensure(
        code=DEMO_HOSPITAL_CODE, name="安孕示范医院 Anyun Demo Hospital"
    )
    department = staff.department_create(hospital=hospital, name="产科 Obstetrics", code="OB")
    users: dict[str, User] = {}
    for s in STAFF:
        user, _device = accounts.staff_create(
            username=s.username,
            password=DEMO_PASSWORD,
            role=s.role,
            display_name=s.name,
        )
        users[s.username] = user
    admin = users["sysadmin"]
    for n, s in enumerate(STAFF, start=1):
        if s.role not in {Role.CLINICIAN, Role.NURSE, Role.PHARMACIST}:
            continue
        profile = staff.clinician_profile_upsert(
            user=users[s.username],
            department=department,
            title=s.title,
            specialty=s.specialty,
            introduction=f"{s.name}，{s.specialty}。",
            is_listed=True,
            is_department_head=s.head,
        )
        _credentials(profile, admin, expired_admission=s.expired_admission, n=n)
    today = timezone.localdate()
    head, nurse = users["dr_li"], users["nurse_chen"]
    team = [users["dr_li"], users["dr_wang"], users["dr_zhang"]]
    for i, (name, age, phone, weeks) in enumerate(WOMEN):
        woman = accounts._woman_create(phone=phone, phone_index=_index(phone))
        accounts.woman_identity_verify(
            user=woman,
            data=accounts.IdentityInput(real_name=name, national_id=demo_national_id(age, i)),
        )
        for doc in documents_current():
            consent_sign(user=woman, document_public_id=doc.public_id)
        care_team_assign(actor=head, woman=woman, member=team[i % 3], responsible=True)
        care_team_assign(actor=head, woman=woman, member=nurse)
        pregnancy_open(
            actor=woman,
            woman=woman,
            data=PregnancyInput(
                lmp=today - timedelta(weeks=weeks, days=i),
                gravidity=1 + i % 3,
                parity=i % 2 if i % 3 else 0,
                height_cm=Decimal("160.0") + i,
                pre_pregnancy_weight_kg=Decimal("52.0") + 3 * i,
                fetus_count=1,
                art_conception=False,
                allergies="青霉素 Penicillin" if i == 2 else "",
            ),
        )
    _duty_rota(department, [users["dr_wang"], users["dr_zhang"]])
    _demo_schedules(department, head=head, clinicians=[users["dr_wang"], users["dr_zhang"]])
    for i, woman in enumerate(User.objects.filter(role=Role.WOMAN).order_by("pk")):
        _demo_readings(woman, clinician=team[i % 3], seed=i)
    for i, woman in enumerate(User.objects.filter(role=Role.WOMAN).order_by("pk")):
        _demo_risk(woman, clinician=team[i % 3], seed=i)
    _demo_consultation(User.objects.get(phone_index=_index(WOMEN[1][2])), users["dr_wang"])
    _demo_lab(User.objects.get(phone_index=_index(WOMEN[1][2])), users["dr_wang"], nurse)
    rows = [(s.username, s.role, f"password {DEMO_PASSWORD} + TOTP") for s in STAFF]
    rows += [
        (phone, Role.WOMAN, "SMS code (printed on this console)") for _n, _i, phone, _w in WOMEN
    ]
    return rows


def _demo_schedules(department: Department, *, head: User, clinicians: list[User]) -> None:
    """Online consultations every week: each clinician's mornings (Monday to Saturday,
    09:00-11:30, 30 minutes, one woman) and the department's afternoons (every day,
    14:00-17:00, 30 minutes, two women), so both booking and the live queue can be tried."""
    for clinician in clinicians:
        for weekday in range(6):
            schedule_rule_add(
                actor=clinician,
                department=department,
                clinician=clinician.clinician_profile,
                weekday=weekday,
                start=time(9),
                end=time(11, 30),
                slot_minutes=30,
                capacity=1,
            )
    for weekday in range(7):
        schedule_rule_add(
            actor=head,
            department=department,
            clinician=None,
            weekday=weekday,
            start=time(14),
            end=time(17),
            slot_minutes=30,
            capacity=2,
        )


def _duty_rota(department: object, members: list[User], days: int = 60) -> None:
    """Day-long shifts for the next `days` days: alarms go to these people in this order."""

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    DutyShift.objects.bulk_create(
        DutyShift(
            department=department,  # type: ignore[misc]
            member=member,
            position=position,
            starts_at=start + timedelta(days=d),
            ends_at=start + timedelta(days=d + 1),
        )
        for d in range(days)
        for position, member in enumerate(members, start=1)
    )


def _demo_readings(woman: User, *, clinician: User, seed: int) -> None:
    """A few weeks of home readings and clinic measurements, so the chart has something."""

    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        return
    ga = pregnancy_summary(pregnancy).ga
    if ga is None or ga.weeks < 14:
        return
    now = timezone.now()
    base_weight = float(pregnancy.pre_pregnancy_weight_kg or 55)
    for days_ago in range(min(ga.days - 98, 42), 0, -3):
        weeks_then = (ga.days - days_ago) / 7
        systolic = 112 + (seed * 3 + days_ago) % 12
        items = [
            ReadingInput(
                kind="blood_pressure",
                systolic=systolic,
                diastolic=72 + days_ago % 9,
                pulse=78,
                measured_at=now - timedelta(days=days_ago, hours=1),
            ),
            ReadingInput(
                kind="weight",
                value=round(base_weight + 0.4 * (weeks_then - 13) + 1.0, 1),
                measured_at=now - timedelta(days=days_ago, hours=1),
            ),
        ]
        readings_record(actor=woman, woman=woman, items=items, confirm=True)
    for days_ago in range(min(ga.days - 112, 56), 0, -14):
        weeks_then = (ga.days - days_ago) / 7
        items = [
            ReadingInput(
                kind="fundal_height",
                value=round(weeks_then - 1.5 + seed % 3, 1),
                measured_at=now - timedelta(days=days_ago, hours=3),
            ),
            ReadingInput(
                kind="abdominal_circumference",
                value=round(78 + 1.2 * weeks_then, 1),
                measured_at=now - timedelta(days=days_ago, hours=3),
            ),
        ]
        readings_record(actor=clinician, woman=woman, items=items, source="clinic", confirm=True)
    plan_set(
        actor=clinician,
        woman=woman,
        kind="blood_pressure",
        times=["08:00", "20:00"],
        note="坐位休息5分钟后测量 Measure seated after 5 minutes' rest",
    )
    if seed == 4:
        # A first high reading yesterday and a confirming one today: an alarm to review.
        for hours_ago, pressure in ((26, (146, 94)), (2, (150, 96))):
            readings_record(
                actor=woman,
                woman=woman,
                items=[
                    ReadingInput(
                        kind="blood_pressure",
                        systolic=pressure[0],
                        diastolic=pressure[1],
                        measured_at=now - timedelta(hours=hours_ago),
                    )
                ],
            )


# Each demo woman's risk grading (seed -> Hb, answers): green, yellow (age 36), yellow with
# the purple flag (an HBsAg carrier, age 38), green, orange (age 40, with a high-risk case and
# its district report due) and green, so the patient list shows every badge.
_DEMO_RISK: dict[int, tuple[float, dict[str, bool], dict[str, object]]] = {
    0: (122.0, {}, {}),
    1: (115.0, {}, {}),
    2: (118.0, {"g_hbsag_carrier": True}, {"hbsag_positive": True}),
    3: (125.0, {}, {}),
    4: (112.0, {}, {}),
    5: (120.0, {}, {}),
}


def _demo_risk(woman: User, *, clinician: User, seed: int) -> None:
    """Her first-visit grading by her responsible clinician (an in-person assessment)."""
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None or seed not in _DEMO_RISK:
        return
    hb, answers, entered = _DEMO_RISK[seed]
    grading = grading_record(
        actor=clinician,
        pregnancy=pregnancy,
        data=GradingInput(
            answers=answers,
            entered={"hb_g_l": hb, "platelets": 210.0, "fetuses": 1, **entered},
            diagnoses=[],
            note="首诊评估 First-visit assessment",
        ),
    )
    if grading.colour == "orange":
        case = grading.pregnancy.high_risk_cases.get(status="open")
        case_plan_update(
            actor=clinician,
            case=case,
            individual_plan="每2周产检，监测血压 Visits every 2 weeks; home BP twice a day",
            emergency_plan="头痛、视物模糊或血压≥160/110：立即拨打120 Headache, blurred vision "
            "or BP 160/110 or higher: call 120 at once",
            next_review_on=timezone.localdate() + timedelta(days=14),
        )


def _demo_consultation(woman: User, clinician: User) -> Consultation:
    """One finished consultation from the live queue: her question, a short exchange, the
    end, the record signed and her rating."""
    entry = queue_join(woman=woman, department=clinician.clinician_profile.department)
    queue_accept(actor=clinician, entry_id=entry.public_id)
    held = Consultation.objects.filter(woman=woman).latest("pk")
    lines = (
        (woman, "医生您好，最近早上有点恶心，需要吃药吗？ Morning nausea: do I need medicine?"),
        (
            clinician,
            "孕早中期常见。少食多餐，避免空腹；若呕吐频繁、不能进食或尿少，请来门诊。"
            " Common at this stage: small frequent meals; come in if you cannot keep food down.",
        ),
        (woman, "好的，谢谢医生。 Thank you."),
    )
    for sender, text in lines:
        consultation.message_post(actor=sender, consultation_id=held.public_id, text=text)
    consultation.consultation_end(actor=clinician, consultation_id=held.public_id)
    held.refresh_from_db()
    draft = consultation.record_proposal(held)
    consultation.record_save(
        actor=clinician,
        consultation_id=held.public_id,
        data=consultation.RecordInput(
            history=draft.history,
            symptoms="恶心，无呕吐 Nausea without vomiting",
            signs=draft.signs,
            diagnoses=["Z34.9"],
            treatment_plan="饮食调整，1周后复诊 Diet advice; follow-up in a week",
        ),
    )
    consultation.record_sign(actor=clinician, consultation_id=held.public_id)
    consultation.rating_submit(
        woman=woman, consultation_id=held.public_id, score=5, comment="解答清楚 Clear answers"
    )
    return held


def _demo_lab(woman: User, clinician: User, nurse: User) -> None:
    """Her booking-visit blood and urine tests, ordered by her clinician, with the result the
    nurse typed in: a haemoglobin below 110 g/L, flagged low (her clinician is told); and an
    OGTT still to do, with its preparation, on her to-do list."""
    tests = orders.order_create(
        actor=clinician,
        woman_id=woman.public_id,
        tests=["fbc", "urinalysis"],
        reason="孕早期常规检查 Booking-visit tests",
    )
    orders.report_record(
        actor=nurse,
        order_id=tests.public_id,
        data=orders.ReportInput(
            values=[
                orders.ValueInput("hb", number=105),
                orders.ValueInput("platelets", number=210),
                orders.ValueInput("wbc", number=8.1),
                orders.ValueInput("urine_protein", text="negative"),
                orders.ValueInput("urine_glucose", text="negative"),
            ]
        ),
    )
    orders.order_create(
        actor=clinician,
        woman_id=woman.public_id,
        tests=["ogtt"],
        reason="妊娠期糖尿病筛查 GDM screening at 24-28 weeks",
    )


def _index(phone: str) -> str:

    return crypto.blind_index(phone)


DEMO_HOSPITAL_CODE = "ANYUN-DEMO"


def demo_accounts() -> list[str]:
    """The demo staff accounts and demo women's numbers present in this database."""
    staff_names = list(
        User.objects.filter(username__in=[s.username for s in STAFF])
        .order_by("username")
        .values_list("username", flat=True)
    )
    indexes = {_index(phone): phone for _n, _i, phone, _w in WOMEN}
    found = User.objects.filter(phone_index__in=indexes).values_list("phone_index", flat=True)
    phones = [indexes[index] for index in found if index]
    return staff_names + sorted(phones)


def demo_loaded() -> bool:
    return Hospital.objects.filter(code=DEMO_HOSPITAL_CODE).exists() or bool(demo_accounts())


def database_empty() -> bool:
    """No account of any kind yet: a new development installation."""
    return not User.objects.exists()


def production_refusal() -> str | None:
    """Why production must not start on this database (it holds demo data), or None."""
    present = demo_accounts()
    if not present and not Hospital.objects.filter(code=DEMO_HOSPITAL_CODE).exists():
        return None
    shown = ", ".join(present[:5]) + (" ..." if len(present) > 5 else "")
    return (
        "Refusing to start in production: this database holds the demo data"
        + (f" (demo accounts {shown})" if present else "")
        + ", whose passwords are published. Production runs on a database without them."
    )


def logins_text(base_url: str) -> str:
    """The demo logins, as printed when the embedded demo starts."""
    lines = [
        f"\nDemo logins ({base_url}):",
        f"  Women: /accounts/login/ with {WOMEN[0][2]} ... {WOMEN[-1][2]}; the SMS code is printed",
        "         on this console by the development SMS provider.",
        f"         {WOMEN[-1][2]} ({WOMEN[-1][0]}) has not been seen in person yet: online",
        "         consultation is closed to her until a visit or accepted evidence of one.",
        f"  Staff: /accounts/staff/login/ with password {DEMO_PASSWORD} and a TOTP code.",
        "         Current code:  .venv/bin/anyun totp <username>",
        "         Or add the key to an authenticator app (otpauth URIs: anyun totp --uri <username>).",
    ]
    for s in STAFF:
        note = " (internet admission expired)" if s.expired_admission else ""
        head = " (department head)" if s.head else ""
        lines.append(f"    {s.username:<12} {s.role:<16} {s.name}{head}{note}")
    return "\n".join(lines) + "\n"
