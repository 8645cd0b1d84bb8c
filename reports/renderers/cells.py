"""One guard against formula injection and control characters, used by every CSV, XLSX and ODS export."""

from trialoog.text import text_clean

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """
    Return a value that a spreadsheet will show as text, never run as a formula.

    Text starting with =, +, -, @, a tab or a carriage return gets a leading
    single quote (the OWASP advice for CSV injection). Control characters
    are removed after that (XLSX and ODS are XML, which forbids them;
    openpyxl refuses the cell) and a carriage return becomes a newline.
    Numbers, booleans and None pass unchanged, so numeric columns stay
    numeric.
    """
    if not isinstance(value, str):
        return value
    return text_clean("'" + value if value.startswith(FORMULA_TRIGGERS) else value)
