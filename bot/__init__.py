"""defensoria-bot: the Telegram bot of the Defensoría Municipal de Derechos Humanos de Toluca."""
