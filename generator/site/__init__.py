"""The site as readers meet it, made from checked content: what is published, in what order,
grouped by tag and month, with related items and translations. Pure values, no files."""
