"""The review panel: seats, sessions, de-identified packets, positions and determinations."""
