"""The web pages of both services: log in, the task inbox, tasks and orders."""
