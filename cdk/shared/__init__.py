"""Building blocks every stack in this repository shares (never duplicated per stack)."""
