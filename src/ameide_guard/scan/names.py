"""Where a scan keeps what it reuses: names only, so that the console entry can ask whether a
scan memo exists before it imports anything of the engine."""

CACHE_DIR_NAME = ".ameide-guard-cache"
MEMO_FORMAT = 3
MEMO_FILE = f"scan-v{MEMO_FORMAT}.json"
