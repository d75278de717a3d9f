"""The bot's own HTTP server: the public programme (page and calendar feed)."""
