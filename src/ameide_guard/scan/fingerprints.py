"""Fingerprints that identify a finding across commits.

A fingerprint hashes the rule, the file, the rule's line-independent key (the imported module,
the dependency name) and the occurrence number of that key in the file, so inserting or moving
unrelated lines leaves it unchanged; baselines and SARIF `partialFingerprints` rely on that.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter

from ameide_guard.model import Finding


def assign_fingerprints(findings: list[Finding]) -> list[Finding]:
    ordered = sorted(findings, key=Finding.sort_key)
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for finding in ordered:
        identity = (finding.rule, finding.path, finding.key or finding.message)
        occurrence = seen[identity]
        seen[identity] += 1
        material = "\0".join([*identity, str(occurrence)])
        digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out.append(dataclasses.replace(finding, fingerprint=digest))
    return out
