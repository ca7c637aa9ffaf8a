"""The fleet server: the fleet endpoints of the terminal contract on PostgreSQL (``fleet-server serve|migrate``)."""
