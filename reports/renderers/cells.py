"""One guard against formula injection, used by every CSV, XLSX and ODS export."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """
    Return a value that a spreadsheet will show as text, never run as a formula.

    Text starting with =, +, -, @, a tab or a carriage return gets a leading
    single quote (the OWASP advice for CSV injection). Numbers, booleans and
    None pass unchanged, so numeric columns stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
