// Placeholder until the systemd tests land.
