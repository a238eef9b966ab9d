"""``reportgen import``: a .docx, .pdf, .txt or .md file back into a document's YAML data.

readers (docx.py, pdf.py, text.py) → paragraphs with format hints (paras.py) → recognise.py (the
document's structure into the model's data) → yamlout.py (a year file in the style of the sample);
merge.py takes an import into an existing year file (``--into``), keeping its comments and metrics.
"""
