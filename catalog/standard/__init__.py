"""The standard open data sets (自治体標準オープンデータセット): their templates (datasets.json),
CSV import into broker entities, export back to the standard CSV, and the coverage report."""
