"""The Training tab."""
