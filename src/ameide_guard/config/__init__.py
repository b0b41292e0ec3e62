"""Finding the project root and the configuration, and loading it into the frozen settings
(`ameide_guard.settings.Config`) every other stage reads."""
