"""Update every index (the 目录 field) of DOCX files in LibreOffice and print what it rebuilt.

Run with a Python that has LibreOffice's UNO bridge (Debian: python3-uno, /usr/bin/python3):
    python3 lo_toc_update.py PROFILE_DIR FILE.docx...
Prints one JSON object per file: {"file": ..., "entries": [[level, text], ...]} — each paragraph of each
rebuilt index, its level from the paragraph style (Contents N / toc N) and its text without the page
number after the tab. Starts its own headless LibreOffice on a private pipe and profile, and stops it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid


def main(profile: str, files: list[str]) -> None:
    import uno
    from com.sun.star.beans import PropertyValue

    pipe = f"dgtoc{uuid.uuid4().hex[:12]}"
    proc = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                             f"-env:UserInstallation=file://{os.path.abspath(profile)}",
                             f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if proc.poll() is not None:
                    raise SystemExit("LibreOffice stopped before it accepted a connection")
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not accept a connection")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        def prop(name, value):
            p = PropertyValue()
            p.Name, p.Value = name, value
            return p

        for f in files:
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(f)), "_blank", 0,
                                               (prop("Hidden", True),))
            entries = []
            try:
                indexes = doc.getDocumentIndexes()
                for i in range(indexes.getCount()):
                    idx = indexes.getByIndex(i)
                    idx.update()
                    para_enum = idx.getAnchor().createEnumeration()
                    while para_enum.hasMoreElements():
                        para = para_enum.nextElement()
                        if not para.supportsService("com.sun.star.text.Paragraph"):
                            continue
                        style = para.getPropertyValue("ParaStyleName") or ""
                        m = re.search(r"(\d)\s*$", style)
                        text = para.getString().split("\t")[0].strip()
                        if m and text:
                            entries.append([int(m.group(1)), text])
            finally:
                doc.close(True)
            print(json.dumps({"file": f, "entries": entries}, ensure_ascii=False), flush=True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
