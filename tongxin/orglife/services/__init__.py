"""Every write of organisational life, one module per part: ``meetings`` (record, plan, attendance,
attachments), ``requirements`` (the required frequencies), ``checklists`` (the four lists), ``digests``.
Each service validates, locks, writes, appends its ChangeLog rows and notifies, in one transaction."""
