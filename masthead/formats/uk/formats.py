# How the Ukrainian edition writes dates and times: day first, the month in the genitive ("E"),
# the 24-hour clock.
DATE_FORMAT = "j E Y"  # 26 листопада 2026
TIME_FORMAT = "H:i"  # 19:04
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"  # 26 листопада
SHORT_DATE_FORMAT = "j E Y"
