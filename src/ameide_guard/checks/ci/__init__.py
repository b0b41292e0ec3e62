"""CI rules, AG501: workflows build Go with the org's modules private."""
