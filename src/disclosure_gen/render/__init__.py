"""Stage 5, render: the style registry, the sandboxed Jinja environment and the document markup
(one HTML document) the writers turn into PDF, DOCX and XLSX."""
