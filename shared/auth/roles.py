"""The roles people have; each human task names the one that may do it."""

BUYER = "buyer"
CLERK = "clerk"
FULFILMENT = "fulfilment"
VIEWER = "viewer"
ADMIN = "admin"

ALL = (BUYER, CLERK, FULFILMENT, VIEWER, ADMIN)
# Roles that may look at every task and order without working on them.
OVERSEERS = (VIEWER, ADMIN)
