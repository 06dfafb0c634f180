"""The API's operations, one router per area."""
