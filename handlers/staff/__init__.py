"""The staff side in Telegram: cards with buttons, presses, composing a message to the resident, internal notes,
staff commands (/open, /mijn, /melding, /koppel), and the resident's side of the conversation with staff."""
