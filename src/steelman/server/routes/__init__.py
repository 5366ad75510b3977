"""HTTP routes, thin: parse, make one call into the service or the judge, format."""
