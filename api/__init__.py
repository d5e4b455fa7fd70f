"""Involve: the stakeholder register and duty-to-involve record for NHS bodies."""
