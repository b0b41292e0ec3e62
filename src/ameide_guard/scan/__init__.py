"""The scan engine as named stages (`engine.scan`): memo lookup, zones, source analysis (cached,
in a pool when large) with the repo rules beside it, source and cross-file rules, then
suppressions, ignores, fingerprints, baseline and diff filters. Also the repository view the
rules read (`repo`), import targets and zones."""
