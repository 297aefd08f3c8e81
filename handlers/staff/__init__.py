"""The staff side in Telegram: cards with buttons, presses, composing a message to the resident, internal notes,
staff commands (/open, /mijn, /melding, /koppel), the card's actions as typed commands (typed.py), the bot's rights
in a staff group (rights.py), and the resident's side of the conversation with staff."""
