"""reportgen: a year's structured data → the 法治建设情况 report in GB/T 9704 format (DOCX, PDF, text)."""

__version__ = "0.1.0"
