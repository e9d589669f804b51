"""Read-only queries over the archive, one module per subject, returning plain dicts.

    statements  who-said matches, export          actors    speakers, profiles, timelines
    sentences   search over every sentence        topics    topics and who speaks on them
    articles    the article list, one article     quotes    quote groups and their carriers
    stats       corpus statistics

Each module calls down into `sql` (the statement row and its JSON contract) and `fts` (safe
full-text queries) and never into another subject or back up into the CLI. They need only the
standard library, so importing a query costs no start-up time.
"""
