"""The generated spreadsheets' house palette, as plain values any writer can use.

sheets.py turns it into openpyxl styles (intake form, cohort summary) and
planxml.py into the action plan's styles part.
"""

FONT_NAME = "Calibri"
FONT_SIZE = 11
TITLE_SIZE = 14
TEAL = "1D5C63"
GRID_GREY = "B8C6C6"
INPUT_YELLOW = "FFF6CC"
MUTED = "5B6B6B"
WHITE = "FFFFFF"
DATE_FORMAT = "yyyy-mm-dd"
