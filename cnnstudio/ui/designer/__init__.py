"""The Designer tab: palette, canvas, inspector, problems, analysis table and code view."""
