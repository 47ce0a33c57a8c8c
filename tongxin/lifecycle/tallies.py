"""The lifecycle's figures in the organisations' tallies (``orgs.tallies``), counted at the organisation where
they happen and rolled up to its ancestors:

- ``dues_cents``: dues collected, in fen (分: the amount × 100), at the branch paid in, by the month of the day
  paid (``paid_on``, not the month paid for). ``mark_paid`` adds its payments in one upsert; ``undo_payment`` (a
  payment marked by mistake, the only reversal there is) subtracts.
- ``transfers_open`` (bucket ""): open transfers, counted at the organisation that must act next: the sending
  branch while the sending side's approval is awaited (pending out), the receiving organisation while its
  acceptance is awaited (pending in). Kept by ``start_transfer`` (also behind ``ask_transfer_in`` and
  ``send_graduates``), ``approve_out``, ``accept_in`` (and ``act_on_many``, which calls those two), ``reject``
  and ``cancel``.
- ``recruitments_open`` (bucket ""): recruitments not yet sworn in nor withdrawn, at the branch where the case
  sits (the committee above acts on some steps, but the case stays the branch's). The application adds; the
  oath and a withdrawal subtract (every step goes through ``services.recruitment._save_step``).

Each service adjusts by the difference of the record's counts before and after, in its own transaction;
``direct`` counts the same from the records for ``rebuild_rollups``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from tongxin.lifecycle.models import (
    OPEN_RECRUITMENT_STAGES,
    DuesPayment,
    Recruitment,
    Transfer,
    TransferStatus,
)
from tongxin.orgs import tallies
from tongxin.orgs.models import path_ids

FACETS = ("dues_cents", "transfers_open", "recruitments_open")


def fen(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def payment_counts(payment: DuesPayment) -> Counter[tallies.Key]:
    if not payment.org_path:
        return Counter()
    return Counter({(payment.org_path, "dues_cents", tallies.month(payment.paid_on)): fen(payment.amount)})


def transfer_counts(transfer: Transfer) -> Counter[tallies.Key]:
    """One open transfer at the organisation that must act on it now."""
    if transfer.status == TransferStatus.PENDING_OUT:
        path = transfer.from_path
    elif transfer.status == TransferStatus.PENDING_IN:
        path = transfer.to_path
    else:
        path = ""
    return Counter({(path, "transfers_open", ""): 1}) if path else Counter()


def recruitment_counts(recruitment: Recruitment) -> Counter[tallies.Key]:
    if recruitment.stage not in OPEN_RECRUITMENT_STAGES or not recruitment.org_path:
        return Counter()
    return Counter({(recruitment.org_path, "recruitments_open", ""): 1})


def retally(before: Counter[tallies.Key], after: Counter[tallies.Key]) -> None:
    tallies.adjust(tallies.difference(before, after))


def direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the records: one grouped query per facet (a payment keeps its branch's path only:
    the branch is the path's last step)."""
    for path, bucket, total in tallies.by_month(DuesPayment.objects.all(), "org_path", "paid_on", total="amount"):
        if path:
            yield path_ids(path)[-1], "dues_cents", bucket, fen(total)
    pending_out = Transfer.objects.filter(status=TransferStatus.PENDING_OUT).order_by()
    for org_id, n in pending_out.values_list("from_org_id").annotate(n=Count("pk")):
        yield org_id, "transfers_open", "", n
    pending_in = Transfer.objects.filter(status=TransferStatus.PENDING_IN, to_org__isnull=False).order_by()
    for org_id, n in pending_in.values_list("to_org_id").annotate(n=Count("pk")):
        yield org_id, "transfers_open", "", n
    open_cases = Recruitment.objects.filter(stage__in=OPEN_RECRUITMENT_STAGES).order_by()
    for org_id, n in open_cases.values_list("branch_id").annotate(n=Count("pk")):
        yield org_id, "recruitments_open", "", n
