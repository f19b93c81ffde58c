"""One router per area: auth, staff, patients, consultations, treatment."""
