"""One generator per record type: each returns the valid rows of its table as a DataFrame."""
