"""
Renderers turn a report document (the dict of `reports.selectors.report_document`) into files.

They never query the database and never decide who is named: anonymity is
applied once, when the document is built.
"""
