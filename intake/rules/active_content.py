"""What an accepted file may not carry: content that acts by itself when a reviewer opens
it. Judged by the file's structure, never by names: a PDF's objects as pypdf reads them
(JavaScript, actions that start programs or open other files, embedded files, actions run
on opening), a workbook's package metadata and part signatures (macros, OLE objects,
ActiveX, ODF Basic and scripts). A file whose bytes do not parse as the type its signature
claims is refused too. Each refusal is an AttachmentRefused whose message says why.

Every check here reads the package's directory or the PDF's object graph, never inflates
a PDF stream, and inflates ZIP parts only within the bounds intake.rules.files put on the
archive first. It runs inline, before anything is stored, so that a refused file never
reaches the dossier. Measured (README, Security): a 1.75 MB XLSX 0.55 ms, 30 scanned
letters in a 5 MB PDF 11 ms; a 160-page text PDF with 2,400 links 275 ms, all of it
pypdf parsing objects, which is the case for moving the PDF walk to a worker."""

import logging

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from intake.kernel.errors import AttachmentRefused
from intake.rules.files import ARCHIVE_ERRORS, ODS, PDF, XLSX, content_types, open_archive, read_xml

logger = logging.getLogger(__name__)

# --- PDF -------------------------------------------------------------------------------------

JAVASCRIPT = "javascript"


LAUNCH = "launch"


EMBEDDED = "embedded"


AUTOMATIC = "automatic"


# What is told first when a file has several problems: the most dangerous.
_PRIORITY = (JAVASCRIPT, LAUNCH, EMBEDDED, AUTOMATIC)


# Actions (ISO 32000-2 §12.6.4) that start a program, open a file outside this one (a
# remote path such as \\host\share leaks the reader's Windows credentials) or send data.
# /URI (a link to a web page, followed when clicked) and /GoTo (a place in this file) are
# what ordinary documents use and stay allowed.
_EXTERNAL_ACTIONS = frozenset({"/Launch", "/GoToR", "/SubmitForm", "/ImportData", "/RichMediaExecute"})


# The only action a viewer may run by itself (on opening, on showing a page, on a field
# event: /OpenAction and /AA) without the reader asking for it.
_AUTOMATIC_ALLOWED = frozenset({"/GoTo"})


# Objects visited at most: a real document of a few hundred pages has some thousands; a
# file made of millions of tiny objects is a way to spend the server's CPU, not a letter.
MAX_PDF_OBJECTS = 200_000


def _pdf_refusal(code: str, message: str) -> AttachmentRefused:
    fix = _("Print or export the document again as a PDF (for example with “Print to PDF”) and upload that.")
    return AttachmentRefused(code, f"{message} {fix}")


def _pdf_message(kind: str, action: str) -> AttachmentRefused:
    if kind == JAVASCRIPT:
        return _pdf_refusal(
            "pdf_javascript", _("This PDF file contains JavaScript, which can run code on the computer of whoever opens it.")
        )
    if kind == LAUNCH:
        return _pdf_refusal(
            "pdf_launch",
            _("This PDF file contains an action that starts a program, opens another file or sends data (%(action)s).")
            % {"action": action},
        )
    if kind == EMBEDDED:
        return AttachmentRefused(
            "pdf_embedded",
            _(
                "This PDF file contains embedded files, which the portal cannot check. Upload those documents as "
                "separate attachments, or print the PDF again without its embedded files."
            ),
        )
    return _pdf_refusal(
        "pdf_automatic_action",
        _("This PDF file runs an action by itself when it is opened or viewed (%(action)s).") % {"action": action},
    )


def _action_chain(action) -> list[DictionaryObject]:
    """An action and those it runs next (/Next: one action or an array of them)."""
    chain, todo, seen = [], [action], set()
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, ArrayObject):
            todo.extend(item)
        elif isinstance(item, DictionaryObject):
            chain.append(item)
            todo.extend(v for k, v in item.items() if k == "/Next")
    return chain


def _automatic_findings(dictionary: DictionaryObject, found: dict) -> None:
    automatic = []
    if "/OpenAction" in dictionary and isinstance(dictionary["/OpenAction"], DictionaryObject):
        automatic.append(dictionary.raw_get("/OpenAction"))  # an array is a destination to show: harmless
    additional = dictionary.get("/AA")
    if isinstance(additional, DictionaryObject):
        automatic.extend(additional.raw_get(trigger) for trigger in additional)
    for action in automatic:
        for step in _action_chain(action):
            kind = str(step.get("/S", ""))
            if kind not in _AUTOMATIC_ALLOWED:
                found.setdefault(AUTOMATIC, kind.lstrip("/") or "?")


def _dictionary_findings(dictionary: DictionaryObject, found: dict) -> None:
    action = str(dictionary.get("/S", "")) if "/S" in dictionary else ""
    # /JS holds an action's script; /JavaScript is the document-level script name tree;
    # /XFA is an XML form whose scripts the viewer runs.
    if "/JS" in dictionary or "/JavaScript" in dictionary or "/XFA" in dictionary or action == "/JavaScript":
        found.setdefault(JAVASCRIPT, "JavaScript")
    if action in _EXTERNAL_ACTIONS:
        found.setdefault(LAUNCH, action.lstrip("/"))
    if (
        "/EmbeddedFiles" in dictionary
        or "/EF" in dictionary
        or dictionary.get("/Type") == "/EmbeddedFile"
        or dictionary.get("/Subtype") == "/FileAttachment"
        or action == "/GoToE"
    ):
        found.setdefault(EMBEDDED, "EmbeddedFile")
    if "/OpenAction" in dictionary or "/AA" in dictionary:
        _automatic_findings(dictionary, found)


def pdf_findings(reader: PdfReader) -> dict[str, str]:
    """Every object reachable from the trailer (catalog, names tree, outlines, pages,
    annotations, form fields, actions), walked once each; streams by their dictionary
    only. {kind: the action or key that showed it}."""
    found: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    todo = [value for key, value in reader.trailer.items() if key != "/Encrypt"]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionary, not their data
            _dictionary_findings(item, found)
            todo.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return found


def _unreadable_pdf() -> AttachmentRefused:
    return AttachmentRefused(
        "pdf_unreadable",
        _(
            "This file starts like a PDF, but the rest is not a readable PDF. Save or export it again as PDF and "
            "upload that file."
        ),
    )


def _refuse_active_pdf(file) -> None:
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise AttachmentRefused(
                "pdf_encrypted",
                _(
                    "This PDF file is protected with a password, so the reviewers could not open it. Upload a version "
                    "without a password."
                ),
            )
        root = reader.trailer["/Root"]
        if not isinstance(root, DictionaryObject) or "/Pages" not in root or len(reader.pages) == 0:
            raise _unreadable_pdf()
        found = pdf_findings(reader)
    except AttachmentRefused:
        raise
    except Exception as exc:
        # pypdf reads hostile input; whatever it raises on bytes that are no PDF (its own
        # errors, but also KeyError, IndexError, RecursionError on deep nesting), the
        # file is not one we accept. The log keeps what pypdf said.
        logger.info("Upload refused: not a readable PDF (%s: %s)", type(exc).__name__, exc)
        raise _unreadable_pdf() from exc
    for kind in _PRIORITY:
        if kind in found:
            raise _pdf_message(kind, found[kind])


# --- workbooks (OOXML, ODF) --------------------------------------------------------------------

# An OLE2 compound file (MS-CFB §2.2): what a VBA project, an embedded OLE object and an
# ActiveX control are stored as, whatever the part is called.
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


# Content types of parts that hold code (a VBA project and its signature, an Excel 4.0
# macro sheet, the main part of a macro-enabled workbook, template or add-in).
_MACRO_TYPE_MARKERS = ("vbaproject", "macroenabled", "macrosheet")


# Content types of embedded programs and controls.
_OBJECT_TYPE_MARKERS = ("activex", "oleobject")


# Where an ODF package keeps its macros (Basic libraries) and scripts (Python, JavaScript,
# BeanShell), and the URL scheme with which an event or link calls one.
_ODF_CODE_DIRECTORIES = ("basic/", "scripts/")


_ODF_SCRIPT_URL = b"vnd.sun.star.script:"


_ODF_CONTENT_PARTS = ("content.xml", "styles.xml")


MACROS = "macros"


OBJECTS = "objects"


def _workbook_refusal(kind: str) -> AttachmentRefused:
    fix = _("Save it as an ordinary workbook (.xlsx or .ods) without them and upload that.")
    if kind == MACROS:
        message = _("This workbook contains macros or scripts, which can run code on the computer of whoever opens it.")
        return AttachmentRefused("workbook_macros", f"{message} {fix}")
    message = _("This workbook contains embedded objects or controls (OLE, ActiveX) that the portal cannot check.")
    return AttachmentRefused("workbook_objects", f"{message} {fix}")


def _ooxml_findings(archive, found: set) -> None:
    types = content_types(archive)
    for member in archive.infolist():
        content_type = types.of(member.filename)
        if any(marker in content_type for marker in _MACRO_TYPE_MARKERS):
            found.add(MACROS)
        elif any(marker in content_type for marker in _OBJECT_TYPE_MARKERS):
            found.add(OBJECTS)


def _contains(archive, name: str, needle: bytes) -> bool:
    """Whether an entry's inflated data contains ``needle``, read in chunks (the archive's
    bounds limit how much that is)."""
    if name not in archive.namelist():
        return False
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(256 * 1024):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _odf_findings(archive, found: set) -> None:
    paths = [member.filename for member in archive.infolist()]
    manifest = read_xml(archive, "META-INF/manifest.xml")
    paths += [value for element in manifest.iter() for key, value in element.attrib.items() if key.endswith("}full-path")]
    if any(path.lower().startswith(_ODF_CODE_DIRECTORIES) for path in paths):
        found.add(MACROS)
    # An event listener or link bound to a script outside the document (LibreOffice's own
    # Python scripts have been used this way to run code).
    if any(_contains(archive, name, _ODF_SCRIPT_URL) for name in _ODF_CONTENT_PARTS):
        found.add(MACROS)


def _ole_parts(archive) -> bool:
    for member in archive.infolist():
        if member.file_size >= len(_OLE_SIGNATURE) and not member.is_dir():
            with archive.open(member) as part:
                if part.read(len(_OLE_SIGNATURE)) == _OLE_SIGNATURE:
                    return True
    return False


def _refuse_active_workbook(file, content_type: str) -> None:
    found: set[str] = set()
    try:
        with open_archive(file) as archive:
            if content_type == ODS:
                _odf_findings(archive, found)
            else:
                _ooxml_findings(archive, found)
            if MACROS not in found and _ole_parts(archive):
                # A part in OLE format that no content type declares: a renamed VBA project
                # as much as an embedded object; either way, code the portal cannot check.
                found.add(OBJECTS)
    except AttachmentRefused:
        raise
    except ARCHIVE_ERRORS as exc:
        # An encrypted entry, a CRC that does not match the declared data, a broken
        # manifest: not a workbook anyone can open safely.
        logger.info("Upload refused: not a readable workbook (%s: %s)", type(exc).__name__, exc)
        raise AttachmentRefused(
            "workbook_unreadable",
            _("This file is not a readable workbook. Save it again as XLSX or ODS and upload that file."),
        ) from exc
    for kind in (MACROS, OBJECTS):
        if kind in found:
            raise _workbook_refusal(kind)


def refuse_active_content(content_type: str, file) -> None:
    """Raise AttachmentRefused if ``file`` (of ``content_type``, as detect_type found it)
    carries active content or does not parse as that type. The file's position is put
    back to where it was."""
    position = file.tell()
    try:
        file.seek(0)
        if content_type == PDF:
            _refuse_active_pdf(file)
        elif content_type in (XLSX, ODS):
            _refuse_active_workbook(file, content_type)
    finally:
        file.seek(position)
