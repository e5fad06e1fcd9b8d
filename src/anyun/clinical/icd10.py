"""Diagnosis codes offered in the consultation record (SUM-1): the common prenatal and
postpartum diagnoses.

Source: WHO ICD-10 (2016 edition), chapter XV "Pregnancy, childbirth and the puerperium" and
the Z34/Z35 supervision codes, with the Chinese category titles of GB/T 14396-2016 疾病分类与代码
(the national adoption of ICD-10). Only WHO ICD-10 category or subcategory codes are listed,
no national extension codes. The short list itself (which diagnoses are offered) is local
policy; any other ICD-10 code is recorded through the free-text note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["ICD10", "SOURCE", "Diagnosis", "diagnosis_of"]

SOURCE: Final = "WHO ICD-10 (2016), chapter XV; GB/T 14396-2016 疾病分类与代码"


@dataclass(frozen=True)
class Diagnosis:
    code: str
    name_zh: str
    name_en: str


ICD10: Final[tuple[Diagnosis, ...]] = (
    Diagnosis("Z34.9", "正常妊娠监督", "Supervision of normal pregnancy, unspecified"),
    Diagnosis("Z35.9", "高危妊娠监督", "Supervision of high-risk pregnancy, unspecified"),
    Diagnosis("O20.0", "先兆流产", "Threatened abortion"),
    Diagnosis("O21.0", "轻度妊娠剧吐", "Mild hyperemesis gravidarum"),
    Diagnosis("O13", "妊娠期高血压", "Gestational hypertension without significant proteinuria"),
    Diagnosis("O14.0", "轻度至中度先兆子痫", "Mild to moderate pre-eclampsia"),
    Diagnosis("O14.1", "重度先兆子痫", "Severe pre-eclampsia"),
    Diagnosis("O10.0", "妊娠合并原有的原发性高血压", "Pre-existing essential hypertension"),
    Diagnosis("O24.4", "妊娠期糖尿病", "Diabetes mellitus arising in pregnancy"),
    Diagnosis("O99.0", "妊娠合并贫血", "Anaemia complicating pregnancy"),
    Diagnosis("O23.4", "妊娠期泌尿道感染", "Unspecified infection of urinary tract in pregnancy"),
    Diagnosis("O26.6", "妊娠期肝疾患", "Liver disorders in pregnancy"),
    Diagnosis("O98.4", "妊娠合并病毒性肝炎", "Viral hepatitis complicating pregnancy"),
    Diagnosis(
        "O99.2",
        "妊娠合并内分泌、营养和代谢疾病",
        "Endocrine, nutritional and metabolic diseases complicating pregnancy",
    ),
    Diagnosis("O36.5", "胎儿生长受限的孕产妇医疗", "Maternal care for poor fetal growth"),
    Diagnosis(
        "O36.8", "其他特指胎儿问题的孕产妇医疗", "Maternal care for other specified fetal problems"
    ),
    Diagnosis("O32.1", "臀先露的孕产妇医疗", "Maternal care for breech presentation"),
    Diagnosis(
        "O34.2",
        "既往手术瘢痕子宫的孕产妇医疗",
        "Maternal care due to uterine scar from previous surgery",
    ),
    Diagnosis("O44.0", "前置胎盘不伴出血", "Placenta praevia specified as without haemorrhage"),
    Diagnosis("O42.9", "胎膜早破", "Premature rupture of membranes, unspecified"),
    Diagnosis("O60.0", "早产临产不伴分娩", "Preterm labour without delivery"),
    Diagnosis("O48", "过期妊娠", "Prolonged pregnancy"),
    Diagnosis("O99.3", "妊娠合并精神障碍", "Mental disorders complicating pregnancy"),
    Diagnosis("F53.0", "产褥期轻度精神和行为障碍(产后抑郁)", "Postnatal depression"),
    Diagnosis("O86.0", "产科手术伤口感染", "Infection of obstetric surgical wound"),
    Diagnosis("O91.2", "产褥期非化脓性乳腺炎", "Nonpurulent mastitis associated with childbirth"),
)

_BY_CODE: Final[dict[str, Diagnosis]] = {d.code: d for d in ICD10}


def diagnosis_of(code: str) -> Diagnosis | None:
    """The table row of a code (as written, e.g. "O24.4"), or None."""
    return _BY_CODE.get(code.strip().upper())
