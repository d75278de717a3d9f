"""Telegram handlers: parse the update, call one service, render a reply from content/."""
