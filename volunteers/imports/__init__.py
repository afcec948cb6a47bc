"""Roster import from the spreadsheets coordinators keep (CSV or XLSX).

Kept inside volunteers/ because everything it writes is a volunteer profile, through that app's
model rules, history and duplicate flags; its own modules keep the reading of files apart:
reading (bytes → rows), mapping (headers → fields), validation (one row → clean values and
errors), services (batch, preview, import), tasks (Celery), views.
"""
