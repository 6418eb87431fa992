"""One module per `andts` subcommand: argument handling and output only."""
