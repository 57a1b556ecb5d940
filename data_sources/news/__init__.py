"""AI news: the feed list, fetching public feeds, parsing and sanitising them, tagging, and the news store."""
