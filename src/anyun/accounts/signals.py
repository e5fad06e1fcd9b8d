"""Events of the accounts context that other contexts act on (they import accounts, never the
other way round)."""

from django.dispatch import Signal

# Sent with `user` and `ip` when failures from all addresses together lock a staff account.
account_locked_signal = Signal()
