"""The outbox: every message the bot owes a servant, as a durable `deliveries` row.

- `enqueue` — the only way rows are created (or cancelled before they go): services call it
  in the transaction of the change the message announces;
- `rules` — pure decisions: when a reminder is due or too late, what must not be sent, the
  back-off;
- `store` — the sender's side of the table: claim, finish, retry, expire;
- `message` — what a renderer is given (`Letter`) and returns (`Outgoing`);
- `sender` — the JobQueue job that claims due rows, runs the service steps a message needs
  (issuing a constancia), renders it with the renderer for its kind and sends it paced.

The renderers live with the handlers (they are Telegram texts and buttons); `bot/app.py`
hands them to the sender as one explicit map, with the batch listeners and the pacer.
"""
