"""fit-map (issue 22): header temperature, 10 mK, lock-in, background, current channels, trust gates per pixel."""
from __future__ import annotations

import argparse

import numpy as np
import pytest
import xarray as xr

from nickelates import btk, cli_map, gapmap

BIAS = np.linspace(-4.0, 4.0, 121)      # mV


def _parser():
    p = argparse.ArgumentParser()
    cli_map.add_arguments(p)
    return p


def _run(argv):
    return cli_map.run(_parser().parse_args([str(a) for a in argv]))


def _dynes(delta, gamma=0.05, T=1.0, bias=BIAS):
    """Chapter-4 library spectrum (independent of the gap-map kernels)."""
    return btk.conductance(bias, delta, 0.0, gamma, T, model="dynes", angle_resolved=False)


def _grid(ny=2, nx=3, delta=1.0, T=1.0, noise=0.005, slope=0.0, seed=0):
    rng = np.random.default_rng(seed)
    g = np.array([[_dynes(delta + 0.05 * (i + j), T=T) for j in range(nx)] for i in range(ny)])
    g = g * (1 + slope * BIAS / 4) + noise * rng.standard_normal(g.shape)
    return 1e-11 * g


def test_header_temperature_and_10_mK(tmp_path, capsys):
    path = tmp_path / "g.3ds"
    gapmap.write_3ds(path, _grid(T=0.01), BIAS, header={"Ext. VI 1>Microscope temperature (K)": "0.01"})
    out = tmp_path / "m.nc"
    rc = _run([path, "--workers", "0", "--out", out, "--no-progress"])
    text = capsys.readouterr().out
    assert rc == cli_map.EXIT_OK, text
    assert "temperature: 0.01 K (from the grid header)" in text and "6/6 pixels ok" in text
    maps = xr.load_dataset(out)
    assert maps.attrs["temperature_K"] == 0.01 and maps.attrs["temperature_source"] == "header"
    assert maps.attrs["background_degree"] == 2 and "bg1" in maps
    truth = 1.0 + 0.05 * np.add.outer(np.arange(2), np.arange(3))
    assert np.max(np.abs(maps["delta1"].values - truth)) < 0.01
    # the flag wins over the header
    rc = _run([path, "--temperature", "0.5", "--workers", "0", "--out", out, "--no-progress", "--force"])
    text = capsys.readouterr().out
    assert "temperature: 0.5 K (from --temperature; the header states 0.01 K)" in text
    assert xr.load_dataset(out).attrs["temperature_source"] == "flag"


def test_temperature_needed_and_bounds(tmp_path, capsys):
    path = tmp_path / "g.3ds"
    gapmap.write_3ds(path, _grid(), BIAS)
    assert _run([path, "--workers", "0", "--out", tmp_path / "m.nc"]) == cli_map.EXIT_INPUT
    assert "--temperature is needed" in capsys.readouterr().err
    assert _run([path, "--temperature", "0.005", "--workers", "0", "--out", tmp_path / "m.nc"]) == 2
    assert "--temperature must lie in [0.01, 300]" in capsys.readouterr().err


def test_background_as_fit_btk(tmp_path, capsys):
    """A sloped normal state: the map's background recovers the gap as fit-btk's joint background does."""
    path = tmp_path / "g.3ds"
    gapmap.write_3ds(path, _grid(slope=0.15, noise=0.002), BIAS)
    rc = _run([path, "--temperature", "1", "--workers", "0", "--out", tmp_path / "m.nc",
               "--no-progress"])
    assert rc == 0, capsys.readouterr().out
    maps = xr.load_dataset(tmp_path / "m.nc")
    truth = 1.0 + 0.05 * np.add.outer(np.arange(2), np.arange(3))
    assert np.max(np.abs(maps["delta1"].values - truth)) < 0.01
    assert np.allclose(maps["bg1"].values, 0.15, atol=0.02)               # slope of 1 + 0.15 V / 4 mV


def test_running_lockin_folded_in(tmp_path, capsys):
    vm = 0.3
    v = np.linspace(-vm, vm, 601)[:-1] + vm / 600
    w = 2 * np.sqrt(vm ** 2 - v ** 2) / (np.pi * vm ** 2)
    w /= w.sum()
    one = _dynes(1.0, 0.03, bias=np.add.outer(BIAS, v).ravel()).reshape(BIAS.size, v.size) @ w   # W(v) by hand
    cube = 1e-11 * np.broadcast_to(one, (1, 2, BIAS.size)).copy()
    head = {"Lock-in>Lock-in status": "OFF", "Bias Spectroscopy>Lock-In run": "TRUE",
            "Lock-in>Modulated signal": "Bias (V)", "Lock-in>Amplitude": "300E-6"}
    path = tmp_path / "li.3ds"
    gapmap.write_3ds(path, cube, BIAS, header=head)
    rc = _run([path, "--temperature", "1", "--workers", "0", "--out", tmp_path / "m.nc", "--no-progress"])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "0.3 mV peak, folded into the model" in text
    maps = xr.load_dataset(tmp_path / "m.nc")
    assert maps.attrs["lockin_peak_mV_used"] == pytest.approx(0.3)
    assert np.allclose(maps["delta1"], 1.0, atol=0.01) and np.allclose(maps["gamma1"], 0.03, atol=0.01)
    rc = _run([path, "--temperature", "1", "--workers", "0", "--out", tmp_path / "m.nc", "--no-progress", "--force",
               "--no-lockin"])
    assert "not folded in: --no-lockin" in capsys.readouterr().out
    assert float(xr.load_dataset(tmp_path / "m.nc")["gamma1"].mean()) > 0.05    # the modulation looks like Gamma


def test_current_channel_refused_unless_from_current(tmp_path, capsys):
    g = _grid(noise=0.0) / 1e-11
    dv = BIAS[1] - BIAS[0]
    current = 1e-9 * np.cumsum(g, axis=2) * dv                          # I = int G dV (rectangle rule)
    path = tmp_path / "iv.3ds"
    gapmap.write_3ds(path, current, BIAS, channels=("Current (A)",), channel="Current (A)")
    out = tmp_path / "m.nc"
    assert _run([path, "--temperature", "1", "--workers", "0", "--out", out]) == cli_map.EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--from-current" in err and not out.exists()
    rc = _run([path, "--temperature", "1", "--workers", "0", "--out", out, "--no-progress", "--from-current"])
    text = capsys.readouterr().out
    assert rc == 0, text
    maps = xr.load_dataset(out)
    assert maps.attrs["from_current"] == 1
    truth = 1.0 + 0.05 * np.add.outer(np.arange(2), np.arange(3))
    assert np.max(np.abs(maps["delta1"].values - truth)) < 0.03


def test_gapless_grid_every_pixel_flagged(tmp_path, capsys):
    rng = np.random.default_rng(4)
    x = BIAS / 4
    metal = 1e-11 * (1 + 0.1 * x ** 2 + 0.01 * rng.standard_normal((3, 3, BIAS.size)))
    vee = 1e-11 * (0.2 + np.abs(x) + 0.01 * rng.standard_normal((3, 3, BIAS.size)))
    for name, cube in (("metal", metal), ("vee", vee)):
        path = tmp_path / f"{name}.3ds"
        gapmap.write_3ds(path, cube, BIAS)
        rc = _run([path, "--temperature", "1", "--workers", "0", "--out", tmp_path / f"{name}.nc", "--no-progress"])
        text = capsys.readouterr().out
        assert rc == cli_map.EXIT_FLAGGED, text
        assert "0/9 pixels ok" in text and "no pixel has a determined gap" in text
        maps = xr.load_dataset(tmp_path / f"{name}.nc")
        assert not maps["ok"].values.any() and (maps["reason"].values > 0).all()


def test_aborted_grid_not_measured_and_gates_on_fitted_pixels(tmp_path, capsys):
    cube = _grid(ny=2, nx=3)
    path = tmp_path / "ab.3ds"
    gapmap.write_3ds(path, cube, BIAS, n_measured=4)
    rc = _run([path, "--temperature", "1", "--workers", "0", "--out", tmp_path / "m.nc", "--no-progress"])
    text = capsys.readouterr().out
    assert rc == cli_map.EXIT_FLAGGED and "not_measured 2" in text, text
    maps = xr.load_dataset(tmp_path / "m.nc")
    assert maps["ok"].values.ravel().tolist() == [True] * 4 + [False] * 2
    assert maps["reason"].values.ravel().tolist()[4:] == [7, 7]
    assert maps["measured"].values.ravel().tolist() == [True] * 4 + [False] * 2


def test_gate_block_codes_for_clipped_and_negative():
    m = gapmap.spectrum_model(BIAS, 1.0)
    good = m([1.0, 0.05, 1.0])
    block = np.stack([[good, np.minimum(good, 1.2), good - 0.5]])
    out = gapmap.fit_rows(block, BIAS, 1.0)
    assert out["ok"][0, 0]
    from nickelates.gapmap.engine import gate_block
    out = gate_block(out, block, BIAS)
    names = [gapmap.REASONS[int(r)] for r in out["reason"][0]]
    assert names[0] == "ok"
    assert names[1] in ("clipped", "at_bound", "not_converged")           # the fit may already refuse it
    assert names[2] in ("negative_conductance", "bad_data", "at_bound")
    clipped_ok = gapmap.fit_rows(block[:, 1:2], BIAS, 1.0)
    if clipped_ok["ok"][0, 0]:
        assert gapmap.REASONS[int(gate_block(clipped_ok, block[:, 1:2], BIAS)["reason"][0, 0])] == "clipped"
