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
    from nickelates import paths
    book = paths.repo_root() / "book"
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


def test_dos_sweep_behind_liu_fig3_4_carries_the_chapter_numbers():
    """The DOS sweep behind liu-fig3/4 (chapter 1) carries the chapter's numbers."""
    from nickelates import bands
    d = bands.dos_vs_filling([0.45])
    assert d["N_beta"][0] / d["N_alpha"][0] == pytest.approx(2.502, abs=0.01)
    assert d["Nt_alpha"][0] / d["N_alpha"][0] == pytest.approx(0.326, abs=0.005)
    assert d["Nt_beta"][0] / d["N_beta"][0] == pytest.approx(1.798, abs=0.01)
    assert 0.30 < d["n_c_vh"] < 0.32 and 0.22 < d["n_c_X"] < 0.26


def test_chapter_science_results_and_their_figures():
    """The science results the chapters assert on, and the figures drawn from them."""
    import matplotlib.pyplot as plt
    import numpy as np

    from nickelates import btk
    from nickelates.viz import btk as vbtk
    from nickelates.viz import mixd as vm

    d = btk.nb_calibration_spectra(np.linspace(-6, 6, 601))
    v, G = d.bias, d.G
    ipk = np.argmax(G * (v > 0))
    assert 1.04 < G[np.argmin(np.abs(v))] < 1.06 and 1.6 < v[ipk] < 1.85
    assert d.G_sharp.max() > 1.45
    vbtk.figure_nb_calibration(d)
    gt1, gt2 = btk.table3_gap_temperature()
    assert gt1.Tc == pytest.approx(btk.fit_gap_temperature(btk.TABLE3[:, 0], btk.TABLE3[:, 5]).Tc)
    assert abs(gt1.Tc - 67.6) < 0.5 and abs(gt2.Tc - 67.0) < 0.7
    vbtk.figure_gap_temperature((gt1, gt2))
    g0 = btk.dwave_orientation().zero_bias
    assert g0[np.pi / 4] > 5 and g0[0.0] < 0.3
    vbtk.figure_dwave_orientation()
    from nickelates import mixd
    assert vm.crossing is mixd.crossing_point          # old import path kept
    assert mixd.crossing_point([0.0, 1.0, 2.0], [1.0, 1.0, -1.0]) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="change sign"):
        mixd.crossing_point([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="dim"):
        mixd.finite_size_crossover([30], dim=3)
    r = mixd.finite_size_crossover([30, 60], dim=1, xtol=1e-6)
    assert r.shape == (2, 4) and np.ptp(r[:, 1]) < 1e-4 and 1.0 < r[0, 1] < 1.25
    plt.close("all")


def test_couplings_scaling_helpers():
    """Chapter 2's SW-vs-ED scaling: fourth order in the hybridization and in t_c."""
    import matplotlib.pyplot as plt
    import numpy as np

    from nickelates import couplings as K
    from nickelates.viz import couplings as vc

    E_a = K.E_a_for_eps_alpha(0.4, K.T_XZ_PAPER, K.U_PAPER)
    d = vc.sw_error_scaling(E_a, g_values=np.geomspace(0.01, 0.05, 3), t_values=np.geomspace(0.03, 0.1, 3))
    assert all(abs(s - 4) < 0.15 for s in d["slopes"].values()) and abs(d["dimer_slope"] - 4) < 0.1
    assert d["cluster_args"][1] == pytest.approx(E_a + 2 * K.T_C)
    vc.figure_error_scaling(d)
    rows = vc.dimer_channel_shifts(K.T_C, K.U_PAPER, [-4.4, -2.0, 10.0])
    assert len(rows) == 2 and all(db > da for _, _, _, da, db in rows)     # eps_z = 10 is skipped
    dev = vc.channel_relative_deviation([1.0], d["cluster_args"])
    assert -0.6 < dev[0][2] < -0.4
    plt.close("all")


@pytest.mark.parametrize("value", ["False", float("nan"), 0.5, None])
def test_write_figures_flags_must_be_bools(tmp_path, value):
    """Issue 25: force='False' must not mean True."""
    spec = [figures.REGISTRY["liu-fig2"]]
    with pytest.raises(TypeError, match="force"):
        figures.write_figures(spec, tmp_path, force=value)
    with pytest.raises(TypeError, match="fast"):
        figures.write_figures(spec, tmp_path, fast=value)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("specs", ["btk-classic", [["a", "b"]], ["btk-classic"], 3.0, None])
def test_specs_must_be_figure_specs(tmp_path, specs):
    """Fuzz findings F-13/F-14: a name instead of a FigureSpec is a TypeError naming ``specs``; nothing written."""
    with pytest.raises(TypeError, match="specs must be a sequence of FigureSpec"):
        figures.targets(specs, tmp_path, ["png"])
    with pytest.raises(TypeError, match="specs must be a sequence of FigureSpec"):
        figures.write_figures(specs, tmp_path, ["png"], progress=False, log=None)
    assert list(tmp_path.iterdir()) == []
