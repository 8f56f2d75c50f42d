"""Files to checked, rendered documents: find the content files, read each under the reading rule,
check it against its schema, guard a testimony's public text, render Markdown to safe HTML."""
