"""Events of the accounts context that other contexts act on (they import accounts, never the
other way round)."""

from django.dispatch import Signal

# Sent with `user` and `ip` when failures from all addresses together lock a staff account.
account_locked_signal = Signal()

# Sent with `phone` and `text` when a sign-in code is issued, inside the transaction that
# stores it: the notify app writes the SMS to its outbox there (exactly one receiver).
login_code_signal = Signal()
