"""Obligations read from the acts: who must do what, about which system, and from when.

`reader` finds each paragraph or point whose operative sentence imposes an obligation and the
role it binds (the act's own defined terms, kb/obligations/terms.py); `dates` reads the act's
final provisions into rules that give each obligation its applies-from date; `store` builds the
table for every act and version of an index and answers look-ups by role, system and version.
"""
