"""The states the policy table speaks of, named once: the assessment workflow takes its statuses from here.

An assessment is planned, in progress, submitted, returned, approved, or correcting: while it is
correcting it has both a published revision, which factories and buyers read, and a working copy.
"""

PLANNED = "planned"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
CORRECTING = "correcting"
ASSESSMENT_STATES = (PLANNED, IN_PROGRESS, SUBMITTED, RETURNED, APPROVED, CORRECTING)
PUBLISHED = frozenset({APPROVED, CORRECTING})  # a published revision exists
EDITABLE = frozenset({IN_PROGRESS, RETURNED, CORRECTING})  # the findings may change

# A photo is part of a published revision, or of the working copy only (added since the last approval).
IN_PUBLISHED_REVISION = "in a published revision"
IN_WORKING_COPY = "in the working copy only"
