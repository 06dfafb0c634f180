"""Views: thin, permission-checked per object."""
