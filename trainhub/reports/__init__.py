"""Read-only reports for every unit role, on the web, by the API and from the command line."""
