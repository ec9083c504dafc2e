"""Which place a mention means: ranking gazetteer candidates in the report's context."""
