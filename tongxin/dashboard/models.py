"""The dashboard app's own rows: the submitted annual reports (``report.models``)."""

from tongxin.dashboard.report.models import AnnualReport

__all__ = ["AnnualReport"]
