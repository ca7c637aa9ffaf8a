"""The simulators' ``kiosk`` subcommands (entry points ``kiosk.commands``)."""
