"""Review (初审) and approval (审定) of submitted claims."""
