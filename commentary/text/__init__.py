"""Text for the page: number and date formatting, escaping of untrusted text."""
