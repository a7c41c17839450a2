"""The generated spreadsheets' house palette, as plain values any writer can use.

sheets.py turns it into openpyxl styles (intake form, survey), planxml.py
and summaryxml.py into the styles parts of the action plan and the cohort
summary, and the cohort report colours its heat map with the band fills.
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
# Fill per band position (best first) and for "no score": pale enough that black text stays readable.
BAND_FILLS = ("C6E7D8", "FBE5B0", "F4C7C3", "E0E0E0")
