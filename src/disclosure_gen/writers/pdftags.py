"""One structure tree (a tagged PDF, issue 14) for a PDF joined from WeasyPrint parts (sections.py).

Every part is written with WeasyPrint's `pdf_tags=True`: a StructTreeRoot holding one Document
element whose kids are the part's sections, and a ParentTree from each page's /StructParents (and
each link's /StructParent) to the elements of its marked content. The join keeps each section page
with its own content stream, so the marked-content ids stay valid; the frame page under it is drawn
as an artifact with its own marks removed (`underlay`). `Tree` gathers, in page order, the kids of
every part's Document and those of the frame's own sections (the contents) under one Document, and
moves each part's parent-tree keys past those before it.
"""
from __future__ import annotations

_MARKS = {"BDC", "BMC", "EMC"}


def underlay(page):
    """The page's content as a form XObject without marked-content operators (it is drawn inside
    one /Artifact sequence: page numbers and backgrounds are not the document's text)."""
    import pikepdf
    form = page.as_form_xobject()
    kept = [ins for ins in pikepdf.parse_content_stream(form)
            if not (isinstance(ins, pikepdf.ContentStreamInstruction) and str(ins.operator) in _MARKS)]
    form.write(pikepdf.unparse_content_stream(kept))
    return form


def _items(k) -> list:
    import pikepdf
    return list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]


def _document(pdf):
    """The part's Document element (the first kid of its StructTreeRoot), or None when untagged."""
    import pikepdf
    root = pdf.Root.get("/StructTreeRoot")
    kids = _items(root.get("/K")) if root is not None else []
    return root, next((k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Document"), None)


def _first_page(elem, depth: int = 0):
    """The objgen of the first page an element's content lies on (None for an empty element)."""
    import pikepdf
    if "/Pg" in elem:
        return elem.Pg.objgen
    for kid in _items(elem.get("/K")) if depth < 64 else []:
        if isinstance(kid, pikepdf.Dictionary) and (found := _first_page(kid, depth + 1)):
            return found
    return None


class Tree:
    def __init__(self, out):
        import pikepdf
        self.out, self.kids, self.nums, self.frame = out, pikepdf.Array(), {}, {}
        self.doc = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document))
        self.root, frame_doc = _document(out)
        self.tree = pikepdf.NumberTree(self.root.ParentTree) if self.root is not None and "/ParentTree" in self.root \
            else {}
        self.next = int(self.root.get("/ParentTreeNextKey", 0)) if self.root is not None else 0
        self.next = max([self.next, *(k + 1 for k in self.tree.keys())])
        for kid in _items(frame_doc.get("/K")) if frame_doc is not None else []:
            if isinstance(kid, pikepdf.Dictionary) and (first := _first_page(kid)):
                self.frame.setdefault(first, []).append(kid)

    def frame_page(self, page) -> None:
        """A page of the frame kept as it is (a section laid out in the frame: the contents)."""
        for kid in self.frame.get(page.objgen, []):
            kid.P = self.doc
            self.kids.append(kid)
        for key in _keys(page):
            if key in self.tree:
                self.nums[key] = self.tree[key]

    def part(self, pdf, pages: list) -> None:
        """The tree of one part whose pages (`pages`, already copied into the output) were just
        joined: its elements copied, its keys moved past those taken."""
        import pikepdf
        root, doc = _document(pdf)
        if doc is None:
            return
        off = self.next
        del doc["/P"]               # the copy must not reach the part's root (nor pages not copied)
        copy = self.out.copy_foreign(doc)
        for kid in _items(copy.get("/K")):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kid.P = self.doc
            elif not isinstance(kid, pikepdf.Dictionary):     # content straight under the Document
                kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, MCID=kid, Pg=copy.Pg)
            self.kids.append(kid)
        if "/ParentTree" in root:
            for key, value in pikepdf.NumberTree(root.ParentTree).items():
                value = self.out.copy_foreign(value if value.is_indirect else pdf.make_indirect(value))
                if isinstance(value, pikepdf.Array):
                    for n, elem in enumerate(value):
                        if elem.is_indirect and elem.objgen == copy.objgen:
                            value[n] = self.doc
                self.nums[key + off] = value
                self.next = max(self.next, key + off + 1)
        for page in pages:
            _shift(page, off)

    def write(self) -> None:
        import pikepdf
        out = self.out
        root = self.root if self.root is not None else out.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.doc.P, self.doc.K = root, self.kids
        root.K = pikepdf.Array([self.doc])
        tree = pikepdf.NumberTree.new(out)
        for key in sorted(self.nums):
            tree[key] = self.nums[key]
        root.ParentTree, root.ParentTreeNextKey = out.make_indirect(tree.obj), self.next
        out.Root.StructTreeRoot = root
        out.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


class Untagged:
    """The join of a document too long to tag within its memory bound (sections.tagged): no
    structure tree, and nothing that says there is one (the frame's tree and PDF/UA claim, the
    pages' parent-tree keys). qpdf holds about 1.5 KB per structure element, and WeasyPrint makes
    one per table cell: 1 000 projects (1 100 pages of tables) held 1.4 GB at the join."""

    def __init__(self, out):
        self.out = out

    def frame_page(self, page) -> None:
        pass

    def part(self, pdf, pages: list) -> None:
        pass

    def write(self) -> None:
        import pikepdf
        out = self.out
        for key in ("/StructTreeRoot", "/MarkInfo"):
            if key in out.Root:
                del out.Root[key]
        for page in out.pages:
            if "/StructParents" in page.obj:
                del page.obj["/StructParents"]
            for a in page.obj.get("/Annots", []):
                if "/StructParent" in a:
                    del a["/StructParent"]
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            for key in ("pdfuaid:part", "pdfuaid:amd", "pdfuaid:corr"):
                if key in xmp:
                    del xmp[key]


def _keys(page) -> list[int]:
    """The parent-tree keys of a page: its own and its annotations'."""
    keys = [int(page.StructParents)] if "/StructParents" in page else []
    return keys + [int(a.StructParent) for a in page.get("/Annots", []) if "/StructParent" in a]


def _shift(page, off: int) -> None:
    if "/StructParents" in page:
        page.StructParents = int(page.StructParents) + off
    for a in page.get("/Annots", []):
        if "/StructParent" in a:
            a.StructParent = int(a.StructParent) + off


def unique_ids(pdf, token: str) -> None:
    """Table header ids made unique over the joined file: WeasyPrint numbers them from object
    numbers of its own file (`<table>-<row>-<column>`), which another part may repeat; `token` comes
    from the part's markup."""
    import pikepdf
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/StructElem":
            continue
        if "/ID" in obj:
            obj.ID = pikepdf.String(f"{token}-{obj.ID}")
        for a in _items(obj.get("/A")):
            if isinstance(a, pikepdf.Dictionary) and "/Headers" in a:
                a.Headers = pikepdf.Array([pikepdf.String(f"{token}-{h}") for h in a.Headers])
