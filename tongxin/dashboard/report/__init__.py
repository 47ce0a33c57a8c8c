"""The annual statistical report (团内统计年报) of an organisation's subtree for a calendar year (issue 18):
figures from grouped aggregate queries (``report.queries``), submission with explanations of every decrease
(``report.services``), pages, API and the Excel and PDF files (``report.export``)."""
