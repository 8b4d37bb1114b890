"""Writers turning the document markup (templates' HTML subset) into PDF (WeasyPrint) and DOCX (python-docx).

    from disclosure_gen.writers.pdf import render_pdf, base_css
    from disclosure_gen.writers.docx import render_docx

Submodules are imported lazily by callers: WeasyPrint is slow to import.
"""
