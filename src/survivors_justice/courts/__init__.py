"""Court calendars from the office's own cases (the planner lives in ``scheduling``)."""
