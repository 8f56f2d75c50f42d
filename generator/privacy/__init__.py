"""Everything that protects the people who gave testimony: what is published and when, which
fields are public, redact.yaml, the guard on what readers see, sealed private records."""
