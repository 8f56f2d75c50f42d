"""The bottom layer: diagnostics, strict YAML, field checkers, the content model, URLs, the reading
rule for files, locks. It imports nothing else from Chorus; everything else may import it."""
