# Django's Russian formats give "5 Июнь" for a day and month (the month's standalone name); in a
# date Russian writes the genitive, lower case: "5 июня". The rest is Django's.
MONTH_DAY_FORMAT = "j E"
