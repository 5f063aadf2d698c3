"""The ``cryptokit`` command."""
