"""Lockfile rules, AG401-AG402: every manifest with dependencies has a lockfile in sync with it."""
