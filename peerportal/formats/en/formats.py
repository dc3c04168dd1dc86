"""Date formats for English pages: one style everywhere, day before month ("23 November 2026",
"23 Nov 2026, 18:00"), the style the templates' explicit formats already use. Spanish pages
keep Django's Spanish formats ("23 de noviembre de 2026")."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
