"""Co-edited Markdown documents in communities: revisions, three-way merge, history, presence."""
