"""Every write of the member lifecycle, one module per workflow: ``transfers``, ``ageout``, ``dues``.

Each service validates, locks the rows two people may act on at once (``select_for_update``), writes,
appends its ChangeLog rows and notifies the next actor (``tongxin.accounts.notify``), inside one
transaction. Errors a user can fix are raised as ``DomainError``.
"""
