"""Writers: each typesets one :class:`~reportgen.document.Document` into one format, as bytes."""
