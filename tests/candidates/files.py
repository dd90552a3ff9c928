"""Real test files made in code: a text PDF, a DOCX, and the malicious look-alikes."""

from __future__ import annotations

import io
import zipfile


def make_pdf(text: str = "Medical receptionist") -> bytes:
    """A minimal but valid one-page PDF whose text pypdf can extract (one line per line)."""
    lines = text.splitlines() or [""]
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def make_docx(text: str = "Medical secretary") -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def pdf_that_is_a_zip() -> bytes:
    """A ZIP archive with a PDF header glued on (what a renamed archive looks like)."""
    return b"%PDF-1.4\n" + make_zip({"payload.exe": b"MZ" + b"\0" * 1000})


def docx_zip_bomb(expanded_mib: int = 64) -> bytes:
    """A structurally valid DOCX whose one part expands to `expanded_mib` MiB of zeros."""
    real = zipfile.ZipFile(io.BytesIO(make_docx("hello")))
    members = {name: real.read(name) for name in real.namelist()}
    members["word/media/padding.bin"] = b"\0" * (expanded_mib * 1024 * 1024)
    return make_zip(members)


RESUME_TEXT = """Maria Lopez - Medical Receptionist
Five years of front desk experience in a busy family practice.
Scheduling appointments, answering multi-line phones, insurance verification and co-pays.
Expert in Epic and eClinicalWorks. Typing 65 WPM.
Fluent in Spanish and English. HIPAA compliance. Certified Medical Administrative Assistant (CMAA).
"""
