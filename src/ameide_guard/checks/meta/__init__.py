"""Rules about the scan itself, AG900-AG901: files that could not be read, and suppressions.

Their findings are produced by the engine, not by hooks: a parse problem or a bad suppression is
known only once every file has been read and every rule has run."""
