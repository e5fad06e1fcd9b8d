"""The stored diagnosis codes are exactly the clinical core's structured diagnoses."""

from anyun.clinical.risk_tables import Diagnosis
from anyun.pregnancy.models import DiagnosisCode


def test_every_clinical_diagnosis_has_a_stored_code_with_a_label() -> None:
    assert {c.value for c in DiagnosisCode} == {d.value for d in Diagnosis}
    assert all(str(c.label) for c in DiagnosisCode)
