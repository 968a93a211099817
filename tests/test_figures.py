"""The figure registry and ``python -m nickelates figures``."""
import pytest

from nickelates import figures
from nickelates.__main__ import main

CHEAP = ["guo-nb-calibration", "guo-gap-temperature"]


def test_registry_complete():
    reg = figures.REGISTRY
    required = {"liu-fig2", "liu-fig3", "liu-fig4", "liu-fig5", "guo-nb-calibration", "guo-table3-fits",
                "guo-gap-temperature", "guo-model-comparison", "borchia-fig2-7", "borchia-fig3",
                "borchia-fig4-5", "borchia-fig6"}
    assert required <= set(reg)
    for name, spec in reg.items():
        assert spec.name == name
        assert spec.source.strip() and spec.description.strip(), name
        assert spec.chapter.startswith("chap-"), name
        assert callable(spec.build), name
    sources = " ".join(s.source for s in reg.values())
    for key in ("liu2026triplon", "guo2025andreev", "borchia2025mixd"):
        assert key in sources


def test_chapters_of_registry_exist():
    from pathlib import Path
    book = Path(figures.__file__).resolve().parents[2] / "book"
    text = "".join(p.read_text() for p in book.glob("0*.md"))
    for spec in figures.REGISTRY.values():
        assert f"({spec.chapter})=" in text, spec.chapter


def test_only_writes_png_and_pdf(tmp_path, capsys):
    rc = main(["figures", "--out", str(tmp_path), "--only", *CHEAP, "--fast", "--no-progress"])
    assert rc == 0
    for name in CHEAP:
        png, pdf = tmp_path / f"{name}.png", tmp_path / f"{name}.pdf"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.{e}" for n in CHEAP for e in ("png", "pdf"))
    assert "wrote 4 files" in capsys.readouterr().out


def test_unknown_name_is_a_clear_error(tmp_path, capsys):
    rc = main(["figures", "--out", str(tmp_path), "--only", "liu-fig2", "no-such-figure"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "no-such-figure" in err and "available" in err and "liu-fig2" in err
    assert not any(tmp_path.iterdir())
    with pytest.raises(ValueError, match="unknown figure"):
        figures.build("no-such-figure")


def test_no_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "guo-nb-calibration.png"
    target.write_bytes(b"keep me")
    rc = main(["figures", "--out", str(tmp_path), "--only", "guo-nb-calibration", "--no-progress"])
    assert rc == 2
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    assert not (tmp_path / "guo-nb-calibration.pdf").exists()      # nothing written at all
    rc = main(["figures", "--out", str(tmp_path), "--only", "guo-nb-calibration", "--format", "png",
               "--force", "--no-progress", "--fast"])
    assert rc == 0 and target.read_bytes()[:4] == b"\x89PNG"


def test_bad_format_and_list(tmp_path, capsys):
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP[0], "--format", "gif"]) == 2
    assert "format" in capsys.readouterr().err
    assert main(["figures", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in figures.REGISTRY)


def test_gallery_cards_link_existing_labels():
    import sys
    from pathlib import Path
    tools = Path(figures.__file__).resolve().parents[2] / "tools"
    sys.path.insert(0, str(tools))
    try:
        import gallery
    finally:
        sys.path.remove(str(tools))
    assert 6 <= len(gallery.GALLERY) <= 8
    assert all(name in figures.REGISTRY for name, _ in gallery.GALLERY)
    assert gallery.main(["--check"]) == 0
    page = gallery.render_page([(figures.REGISTRY["liu-fig2"], "t", "chap-bands", "_static/gallery/liu-fig2.png")])
    assert ":link: chap-bands" in page and ":img-top: _static/gallery/liu-fig2.png" in page


def test_ported_figure_helpers_pin_chapter_numbers():
    """The data behind liu-fig3/4 (ported from chapter 1) carry the chapter's numbers."""
    from nickelates.viz import bands as vb
    d = vb.dos_vs_filling([0.45])
    assert d["N_beta"][0] / d["N_alpha"][0] == pytest.approx(2.502, abs=0.01)
    assert d["Nt_alpha"][0] / d["N_alpha"][0] == pytest.approx(0.326, abs=0.005)
    assert d["Nt_beta"][0] / d["N_beta"][0] == pytest.approx(1.798, abs=0.01)
    assert 0.30 < d["n_c_vh"] < 0.32 and 0.22 < d["n_c_X"] < 0.26
