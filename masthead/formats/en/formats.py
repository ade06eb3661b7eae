# How the English edition writes dates and times (the names Django's date filter knows).
DATE_FORMAT = "F j, Y"  # November 26, 2026
TIME_FORMAT = "g:i A"  # 7:04 PM
DATETIME_FORMAT = "F j, Y, g:i A"
MONTH_DAY_FORMAT = "M j"  # Nov 26: earlier this year
SHORT_DATE_FORMAT = "M j, Y"  # Nov 26, 2025: an earlier year
