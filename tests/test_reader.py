import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcli.errors import FactcliError
from factcli.reader import InputError, collect_inputs, decode, parse_size, read_article

DATA = Path(__file__).resolve().parents[1] / "data"

BODY = (
    "PORT ALDER \u2013 The council voted on Thursday.\r\n\r\n"
    "\u201cBoats do,\u201d the mayor said.  \n"
)
ARTICLE = "19.04.2025\n\n\u201cFerry Town Votes Yes\u201d\n\n" + BODY


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def reason_of(source: str, **kwargs: object) -> str:
    with pytest.raises(InputError) as info:
        read_article(source, **kwargs)  # type: ignore[arg-type]
    err = info.value
    assert isinstance(err, FactcliError)
    assert "\n" not in str(err)
    assert str(err).startswith(f"{source}: ")
    return err.reason


def test_utf8_text_kept_exactly(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", ARTICLE.encode("utf-8"))
    article = read_article(src)
    assert article.text == ARTICLE
    assert article.source == src
    assert article.title == "Ferry Town Votes Yes"
    assert article.published == "2025-04-19"
    assert article.text[article.body_start :] == BODY


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    src = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    article = read_article(src)
    assert article.text == ARTICLE
    assert article.published == "2025-04-19"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    data = ARTICLE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    article = read_article(write(tmp_path / "wide.txt", data))
    assert article.text == ARTICLE
    assert article.title == "Ferry Town Votes Yes"


def test_cp1252_is_decoded_with_a_warning(tmp_path: Path) -> None:
    text = "Caf\u00e9 owners said \u201cna\u00efve\u201d rules cost \u20ac5 on Monday.\n"
    src = write(tmp_path / "latin1.txt", text.encode("cp1252"))
    warnings: list[str] = []
    article = read_article(src, warn=warnings.append)
    assert article.text == text
    assert warnings == ["not UTF-8, decoded as cp1252"]


def test_latin1_is_decoded_with_a_warning(tmp_path: Path) -> None:
    text = "Der Bürgermeister sagte, die Straße sei gesperrt. Ça va, dit-il.\n"
    warnings: list[str] = []
    assert decode(text.encode("latin-1"), "x", warnings.append) == text
    assert warnings == ["not UTF-8, decoded as cp1252"]


def test_stray_bytes_in_utf8_keep_the_utf8(tmp_path: Path) -> None:
    data = "Officials said \u201cyes\u201d in Z\u00fcrich".encode() + b" caf\xe9.\n"
    warnings: list[str] = []
    text = decode(data, "x", warnings.append)
    assert text == "Officials said \u201cyes\u201d in Z\u00fcrich caf\u00e9.\n"
    assert len(warnings) == 1
    assert "invalid byte 0xe9" in warnings[0] and "decoded as cp1252" in warnings[0]


def test_utf8_gives_no_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    decode(ARTICLE.encode(), "x", warnings.append)
    assert warnings == []


def test_neither_utf8_nor_cp1252(tmp_path: Path) -> None:
    text = "\u041c\u0438\u043d\u0438\u0441\u0442\u0440 \u0441\u043a\u0430\u0437\u0430\u043b."
    src = write(tmp_path / "cyrillic.txt", text.encode("cp1251"))
    reason = reason_of(src)
    assert reason.startswith("is not UTF-8 text (invalid byte 0x")
    assert "cp1252" in reason


def test_refused_file_gives_no_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    with pytest.raises(InputError, match="whitespace only"):
        decode(b" \xa0 \n", "x", warnings.append)
    assert warnings == []


@pytest.mark.parametrize(
    "text, size",
    [("20MB", 20_000_000), ("500k", 500_000), ("1.5 MiB", 1_572_864), ("1000", 1000), ("2G", 2e9)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "x", "-5", "0", "12 parsecs", "MB"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"size|small"):
        parse_size(text)


def test_bad_utf16(tmp_path: Path) -> None:
    src = write(tmp_path / "bad16.txt", b"\xff\xfeA\x00\x00\xd8")
    assert reason_of(src).startswith("is not UTF-16 text")


def test_empty(tmp_path: Path) -> None:
    assert reason_of(write(tmp_path / "empty.txt", b"")) == "is empty"


def test_whitespace_only(tmp_path: Path) -> None:
    assert reason_of(write(tmp_path / "ws.txt", b" \n\t\r\n  \n")) == "is empty (whitespace only)"


def test_bom_only_is_empty(tmp_path: Path) -> None:
    assert reason_of(write(tmp_path / "bom.txt", b"\xef\xbb\xbf\n")).startswith("is empty")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x00" * 64,
        b"Officials said\x00 on Monday that talks would go on.",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\x01\x02\x03\x04 a b c \x05\x06\x07",
    ],
)
def test_binary(tmp_path: Path, data: bytes) -> None:
    assert reason_of(write(tmp_path / "bin.txt", data)).startswith("looks like a binary file")


def test_one_stray_control_character_is_still_text(tmp_path: Path) -> None:
    text = "The ministry said on Tuesday that talks would resume next week.\x1a\n"
    assert read_article(write(tmp_path / "dos.txt", text.encode())).text == text


def test_too_large(tmp_path: Path) -> None:
    src = write(tmp_path / "big.txt", b"word " * 100)
    reason = reason_of(src, max_bytes=100)
    assert reason.startswith("is too large (500 bytes; the limit is 100 bytes")
    assert "--max-size" in reason
    assert read_article(src, max_bytes=500).text == "word " * 100


def test_too_large_stdin() -> None:
    with pytest.raises(InputError, match="too large"):
        read_article("-", stdin=io.BytesIO(b"x" * 101), max_bytes=100)


def test_header_only(tmp_path: Path) -> None:
    src = write(tmp_path / "h.txt", "19.04.2025\n\n\u201cHeadline Only\u201d\n".encode())
    assert reason_of(src) == "has a header but no article text"


def test_missing_file(tmp_path: Path) -> None:
    reason = reason_of(str(tmp_path / "gone.txt"))
    assert reason.startswith("no such file or directory")


def test_directory_given_to_read_article(tmp_path: Path) -> None:
    assert reason_of(str(tmp_path)) == "is a directory"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    src = write(tmp_path / "secret.txt", b"The minister said so.\n")
    os.chmod(src, 0)
    try:
        assert reason_of(src) == "permission denied"
    finally:
        os.chmod(src, 0o600)


def test_permission_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as test_unreadable_file, for runs as root, where chmod does not lock anyone out."""
    src = write(tmp_path / "secret.txt", b"The minister said so.\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", src)

    monkeypatch.setattr("factcli.reader.open", refuse, raising=False)
    assert reason_of(src) == "permission denied"


def test_stdin() -> None:
    article = read_article("-", stdin=io.BytesIO(ARTICLE.encode("utf-8")))
    assert article.source == "-"
    assert article.text == ARTICLE
    assert article.title == "Ferry Town Votes Yes"


def test_stdin_error_names_stdin() -> None:
    with pytest.raises(InputError) as info:
        read_article("-", stdin=io.BytesIO(b""))
    assert str(info.value) == "<stdin>: is empty"


def test_sample_article() -> None:
    article = read_article(str(DATA / "000_87d165e13d463a75.txt"))
    assert article.title == "U.S. Upgrades Military Command in Japan Amid China Tensions"
    assert article.published == "2025-04-19"
    assert article.text[article.body_start :].startswith("TOKYO (AP) \u2013 U.S. Defense")
    assert article.text == (DATA / "000_87d165e13d463a75.txt").read_text(encoding="utf-8")


def test_decode_directly() -> None:
    assert decode(b"\xef\xbb\xbfHello\r\n") == "Hello\r\n"
    with pytest.raises(InputError, match="<stdin>: is empty"):
        decode(b"")


# collect_inputs


def make_tree(root: Path) -> None:
    for rel in ["b.txt", "a.txt", "notes.md", "sub/c.txt", "sub/deeper/d.TXT", "z/e.txt"]:
        write(root / rel, b"The ministry said so.\n")


def test_directory_recursion_is_sorted_and_filtered(tmp_path: Path) -> None:
    make_tree(tmp_path / "news")
    inputs, problems = collect_inputs([str(tmp_path / "news")])
    rel = [os.path.relpath(p, tmp_path / "news") for p in inputs]
    assert rel == ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.TXT", "z/e.txt"]
    assert problems == []
    assert inputs == collect_inputs([str(tmp_path / "news")])[0]


def test_files_are_taken_as_given_and_stdin(tmp_path: Path) -> None:
    md = write(tmp_path / "article.md", b"The ministry said so.\n")
    inputs, problems = collect_inputs([md, "-"])
    assert inputs == [md, "-"]
    assert problems == []


def test_duplicates_are_kept_once(tmp_path: Path) -> None:
    make_tree(tmp_path / "news")
    a = str(tmp_path / "news" / "a.txt")
    inputs, _ = collect_inputs(
        [a, str(tmp_path / "news"), str(tmp_path / "news" / "sub"), "-", "-"]
    )
    assert inputs.count(a) == 1
    assert inputs.count("-") == 1
    assert len(inputs) == 6


def test_missing_path_is_a_problem_and_others_go_on(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", b"The ministry said so.\n")
    missing = str(tmp_path / "missing.txt")
    inputs, problems = collect_inputs([missing, good])
    assert inputs == [good]
    assert problems == [(missing, "no such file or directory")]


def test_directory_without_articles(tmp_path: Path) -> None:
    write(tmp_path / "empty_dir" / "image.png", b"\x89PNG\r\n\x1a\n")
    (tmp_path / "really_empty").mkdir()
    inputs, problems = collect_inputs([str(tmp_path / "empty_dir"), str(tmp_path / "really_empty")])
    assert inputs == []
    assert [p for p, _ in problems] == [str(tmp_path / "empty_dir"), str(tmp_path / "really_empty")]
    assert all("no *.txt articles" in reason for _, reason in problems)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    make_tree(tmp_path / "news")
    os.symlink(tmp_path / "news", tmp_path / "news" / "sub" / "loop")
    os.symlink(tmp_path / "news" / "a.txt", tmp_path / "news" / "link.txt")
    inputs, problems = collect_inputs([str(tmp_path / "news")])
    assert problems == []
    assert len(inputs) == 5
    rel = [os.path.relpath(p, tmp_path / "news") for p in inputs]
    assert not any("loop" in p for p in rel)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_broken_symlinks(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "news" / "dangling.txt")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "top.txt")
    inputs, problems = collect_inputs([str(tmp_path / "news"), str(tmp_path / "top.txt")])
    assert inputs == []
    assert problems == [
        (str(tmp_path / "news" / "dangling.txt"), "broken symbolic link"),
        (str(tmp_path / "top.txt"), "broken symbolic link"),
    ]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_subdirectory_is_a_problem(tmp_path: Path) -> None:
    make_tree(tmp_path / "news")
    locked = tmp_path / "news" / "sub"
    os.chmod(locked, 0)
    try:
        inputs, problems = collect_inputs([str(tmp_path / "news")])
    finally:
        os.chmod(locked, 0o700)
    assert [os.path.basename(p) for p in inputs] == ["a.txt", "b.txt", "e.txt"]
    assert problems == [(str(locked), "permission denied")]


def test_walk_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as test_unreadable_subdirectory_is_a_problem, for runs as root."""
    make_tree(tmp_path / "news")
    locked = str(tmp_path / "news" / "sub")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    inputs, problems = collect_inputs([str(tmp_path / "news")])
    assert [os.path.basename(p) for p in inputs] == ["a.txt", "b.txt", "e.txt"]
    assert problems == [(locked, "permission denied")]


def test_file_vanishing_after_collection(tmp_path: Path) -> None:
    src = write(tmp_path / "news" / "a.txt", b"The ministry said so.\n")
    inputs, _ = collect_inputs([str(tmp_path / "news")])
    os.remove(src)
    assert reason_of(inputs[0]).startswith("no such file or directory")


def test_data_directory_reads_cleanly() -> None:
    inputs, problems = collect_inputs([str(DATA)])
    assert problems == []
    assert len(inputs) >= 4
    for source in inputs:
        article = read_article(source)
        assert article.title
        assert article.text[article.body_start :].strip()


@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_an_article_or_an_input_error(data: bytes) -> None:
    try:
        article = read_article("-", stdin=io.BytesIO(data))
    except InputError as err:
        assert err.reason and "\n" not in str(err)
    else:
        assert 0 <= article.body_start < len(article.text)


@given(st.text(min_size=1, max_size=300))
def test_arbitrary_text_round_trips(text: str) -> None:
    try:
        article = read_article("-", stdin=io.BytesIO(text.encode("utf-8")))
    except InputError:
        return
    assert article.text == text.removeprefix("\ufeff")


@given(st.binary(max_size=400))
def test_a_fallback_decode_is_never_silent(data: bytes) -> None:
    """Whatever the bytes: refused, or decoded exactly as UTF-8 (or as its BOM says), or
    decoded with a fallback and a warning saying so."""
    warnings: list[str] = []
    try:
        text = decode(data, "x", warnings.append)
    except InputError:
        return
    if warnings:
        assert len(warnings) == 1 and "cp1252" in warnings[0]
        return
    for bom, encoding in [(b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32")]:
        if data.startswith(bom):
            assert text == data.decode(encoding)
            return
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert text == data.decode("utf-16")
    else:
        assert text == data.decode("utf-8-sig")
