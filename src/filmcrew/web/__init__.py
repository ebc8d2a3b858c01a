"""What the web wings (studio/, festival/) share: answering HTTP from the standard library's server."""
