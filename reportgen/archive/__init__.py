"""Archive-grade output: PDF/A-3 with its source inside (``pdfa``), a hash manifest (``manifest``),
frozen final versions and their verification (``finals``)."""
