"""One file per `tito` command: parse nothing, print results, leave logic to tito.lib."""
