# "March 12, 2027": the month in full, as the portal's English pages write dates.
DATE_FORMAT = "F j, Y"
