// Placeholder until the server tests land.
