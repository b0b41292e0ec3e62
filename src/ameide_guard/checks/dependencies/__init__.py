"""Dependency rules, AG201-AG204: manifests depend on the released SDKs, never on generated
packages, local patches or unreleased versions."""
