"""Drop-in compatibility: the hosted posting APIs tikpost replaces, each under `/compat/<name>`.

Each vendor is a thin translation (its paths, fields, headers and error shapes) into tikpost's
own services: no second publishing path and no second copy of a rule. A vendor is a
`compat.vendor.Vendor` (its router and error shape), listed in `compat.vendors.VENDORS`.
"""
