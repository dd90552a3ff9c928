"""Ids that arrive from outside (a URL, a form, a JSON body): the bounds of what can name a row.

Every primary key is a 32-bit INTEGER on PostgreSQL (MAX_ID): a larger value sent to the driver
is refused as out of range (a 500), so a value from a form or a body is bounded by its field, and
one from a URL by the router (`security.DatabaseIdConverter`, which stops past 64 bits, what no
driver can even send) and the hook before every view (`security.init_app`): either is a plain
404, and no view checks ids itself.
"""

MAX_ID = 2**31 - 1
MAX_DATABASE_ID = 2**63 - 1
