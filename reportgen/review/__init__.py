"""Review: compare two versions of a document as reviewers read them.

* ``sides``    — what ``2023``, ``2020-0584@HEAD~1``, ``2023@v1`` or a path name, loaded through the pipeline;
* ``textdiff`` — paragraph alignment, then a character-level diff (Chinese has no word spaces);
* ``semantic`` — items added/removed/moved, metrics changed, headings renamed (from the YAML data);
* ``html``     — a self-contained side-by-side review page;
* ``redline``  — B typeset as our DOCX with Word tracked changes against A.

Everything here is deterministic: no clock, no random ids, so identical inputs give identical outputs.
"""
