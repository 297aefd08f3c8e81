"""Statistics and export for municipal teams: the figures behind ``/stats``, ``veiligbot stats`` and the weekly
digest (:mod:`bot.stats.figures`, :mod:`bot.stats.render`, :mod:`bot.stats.chart`), and the export for the
yearly uitvoeringsplan (:mod:`bot.stats.export`). No Telegram here: handlers/staff/stats.py sends the result.
"""
