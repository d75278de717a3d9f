"""The office's console: staff-only commands and buttons. Every handler here checks the staff
list on each call (see `staff_only`), not only when a menu is drawn."""
