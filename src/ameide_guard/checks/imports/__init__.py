"""Import rules, AG101-AG105: runtime code reaches APIs only through the SDKs' public surface."""
