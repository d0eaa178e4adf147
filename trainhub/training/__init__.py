"""Teacher training: programmes, seat quotas, enrolments, attendance, the hours ledger, targets."""
