"""The site to files: pages through the templates, feed, sitemap, data exports, static files, and
the only code that writes the output folder."""
