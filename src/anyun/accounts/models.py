"""Accounts: one user table for women and staff, the woman's verified identity, one-time codes."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.core.fields import EncryptedTextField
from anyun.core.models import PublicIdModel


class Role(models.TextChoices):
    WOMAN = "woman", _("Pregnant woman")
    CLINICIAN = "clinician", _("Clinician")
    NURSE = "nurse", _("Nurse / midwife")
    PHARMACIST = "pharmacist", _("Pharmacist")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    # The hospital's finance staff: payment reconciliation and refunds, no health records.
    FINANCE = "finance", _("Finance")
    # The three administrators of MLPS level 3 (三员), kept separate: one role per account.
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


STAFF_ROLES = frozenset(r for r in Role if r != Role.WOMAN)
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.NURSE})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.SYSTEM_ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra)


class User(PublicIdModel, AbstractBaseUser, PermissionsMixin):
    """Women log in by phone + one-time code; staff by username + password + TOTP."""

    username = models.CharField(_("username"), max_length=64, unique=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    phone_index = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone = EncryptedTextField(_("phone number"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the back office"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    failed_login_count = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    preferred_language = models.CharField(max_length=16, blank=True)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["role"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_woman(self) -> bool:
        return self.role == Role.WOMAN

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class WomanProfile(PublicIdModel):
    """Her real-name identity. The ID number is encrypted; its blind index is unique."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="woman_profile")
    real_name = models.CharField(_("real name"), max_length=64, blank=True)
    national_id = EncryptedTextField(_("national ID number"), blank=True)
    national_id_index = models.CharField(  # noqa: DJ001 - NULL until verified; unique when set
        max_length=64, unique=True, null=True, editable=False
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian name"), max_length=64, blank=True)
    guardian_phone = EncryptedTextField(_("guardian phone"), blank=True)
    guide_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("woman's identity")
        verbose_name_plural = _("women's identities")

    def __str__(self) -> str:
        return self.real_name or str(self.user)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class IdentityCheck(models.Model):
    """Every request to the identity-verification provider, with its answer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="identity_checks")
    provider = models.CharField(max_length=128)
    request_summary = models.JSONField(default=dict)
    passed = models.BooleanField()
    reference = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return (
            f"{self.provider} {'passed' if self.passed else 'refused'} {self.created_at:%Y-%m-%d}"
        )


class PhoneCode(models.Model):
    """A one-time code sent to a phone number: single use, expires, bound to the number."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=128)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The documents (kind, version, id) accepted with the tick before this code was sent.
    terms = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = (models.Index(fields=("ip_address", "created_at")),)

    def __str__(self) -> str:
        return f"code {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for apps. Only its hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d}"
