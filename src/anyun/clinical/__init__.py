"""Pure clinical knowledge for Anyun: dating, identifiers and anthropometry.

No Django, no I/O. Every rule names its source and confidence mark ([V]/[S]/[P])
from ``docs/DOMAIN.md``; errors are :class:`anyun.clinical.errors.ClinicalValueError`.
"""
