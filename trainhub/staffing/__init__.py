"""Staffing rural schools: norms, shortages, posts, candidate pools, allocation runs, postings."""
