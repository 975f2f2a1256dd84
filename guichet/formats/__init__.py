"""Date formats that differ from Django's for a language of the portal (FORMAT_MODULE_PATH).

Django's English long date is "Jan. 12, 2027" (Associated Press style); a public administration
writes "January 12, 2027". French ("12 janvier 2027") and Spanish ("12 de enero de 2027") keep
Django's own formats.
"""
