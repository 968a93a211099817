"""Gap maps (nickelates.gapmap, fit-map): .3ds reading, per-pixel fits, the Dask engine, resume, CLI."""
from __future__ import annotations

import argparse

import numpy as np
import pytest
import xarray as xr

from nickelates import btk, cli_map, gapmap
from nickelates.gapmap import engine
from nickelates.gapmap import fit as F

BIAS = np.linspace(-5.0, 5.0, 121)          # mV
T = 2.0                                      # K


def truth_map(ny, nx):
    """A smooth gap map (meV) with its extremes inside the grid."""
    yy, xx = np.mgrid[0:ny, 0:nx]
    return 1.0 + 0.25 * np.sin(2 * np.pi * xx / nx) * np.cos(np.pi * yy / ny)


def spectra(delta, gamma=0.1, scale=2e-11, noise=0.0, seed=0):
    """Smeared Dynes spectra from the chapter-4 library (independent of the gap-map kernels)."""
    rng = np.random.default_rng(seed)
    ny, nx = delta.shape
    out = np.empty((ny, nx, BIAS.size))
    for i in range(ny):
        for j in range(nx):
            out[i, j] = scale * btk.conductance(BIAS, delta[i, j], 0.0, gamma, T, model="dynes",
                                                angle_resolved=False)
    return out + noise * scale * rng.standard_normal(out.shape)


def nanonis_3ds(path, cube, bias_mV, channels=("Current (A)", "LI Demod 1 X (A)"), chan=1, sweep='"Bias (V)"',
                size=(6e-9, 4e-9), truncate=0):
    """Write a grid file byte by byte as Nanonis does (CRLF header, big-endian float32 pixels)."""
    ny, nx, nb = cube.shape
    lines = [f'Grid dim="{nx} x {ny}"',
             f"Grid settings=1.000000E-9;2.000000E-9;{size[0]:E};{size[1]:E};0.000000E+0",
             f"Sweep Signal={sweep}" if sweep is not None else None,
             'Fixed parameters="Sweep Start;Sweep End"',
             'Experiment parameters="X (m);Y (m);Z (m);Z offset (m);Settling time (s);Integration time (s)"',
             "# Parameters (4 byte)=8", f"Experiment size (bytes)={nb * len(channels) * 4}", f"Points={nb}",
             f'Channels="{";".join(channels)}"', "Delay before measuring (s)=1.000000E-3",
             'Experiment="Grid Spectroscopy"', 'Start time="01.12.2026 10:00:00"',
             'End time="01.12.2026 11:00:00"', "User=", "Comment=test grid", ":HEADER_END:"]
    header = "\r\n".join(line for line in lines if line is not None) + "\r\n"
    payload = np.zeros((ny, nx, 8 + nb * len(channels)), ">f4")
    payload[..., 0], payload[..., 1] = bias_mV[0] / 1e3, bias_mV[-1] / 1e3
    payload[..., 8 + chan * nb: 8 + (chan + 1) * nb] = cube
    raw = header.encode("ascii") + payload.tobytes()
    path.write_bytes(raw[:len(raw) - truncate] if truncate else raw)
    return path


# --- the compiled model against the chapter-4 library -------------------------------------------------

@pytest.mark.parametrize("model,z", [("dynes", None), ("btk", 0.0), ("btk", 0.8)])
def test_model_matches_btk_library(model, z):
    m = F.spectrum_model(BIAS, T, model)
    p = [1.1, 0.07, 1.0] if model == "dynes" else [1.1, 0.07, z, 1.0]
    ref = btk.conductance(BIAS, 1.1, 0.0 if z is None else z, 0.07, T, angle_resolved=False,
                          model="dynes" if model == "dynes" else "btk")
    assert np.max(np.abs(m(p) - ref)) < 1e-6


def test_two_gap_model_is_weighted_sum():
    m2 = F.spectrum_model(BIAS, T, "dynes", 2)
    m1 = F.spectrum_model(BIAS, T, "dynes", 1)
    g = m2([1.2, 0.1, 0.5, 0.05, 0.3, 1.0])
    assert np.allclose(g, 0.7 * m1([1.2, 0.1, 1.0]) + 0.3 * m1([0.5, 0.05, 1.0]), atol=1e-12)


# --- .3ds reading ------------------------------------------------------------------------------------

def test_reason_codes_for_the_gates():
    # codes 0..6 keep their meaning; 7..13 are set by the trust gates (issue 22)
    assert [F.REASONS[k] for k in range(7)] == ["ok", "bad_data", "fit_error", "not_converged", "at_bound",
                                               "no_gap", "not_fitted"]
    assert {k: F.REASONS[k] for k in range(7, 14)} == {
        7: "not_measured", 8: "gap_at_edge", 9: "gamma_exceeds_gap", 10: "high_rms",
        11: "negative_conductance", 12: "clipped", 13: "not_a_conductance"}
    assert gapmap.REASONS is F.REASONS


def test_background_model_is_fit_btk_polynomial():
    m = F.spectrum_model(BIAS, T, background=True)
    assert m.names == ("delta1", "gamma1", "bg1", "bg2", "scale") and m.background_degree == F.BACKGROUND_DEGREE
    x = BIAS / 5.0
    g = btk.conductance(BIAS, 1.1, 0.0, 0.1, T, model="dynes", angle_resolved=False)
    assert np.allclose(m([1.1, 0.1, 0.2, -0.3, 3.0]), 3.0 * (1 + 0.2 * x - 0.3 * x * x) * g, atol=1e-7)
    assert F.parameter_names("btk", 2, background=3)[-4:] == ("bg1", "bg2", "bg3", "scale")
    with pytest.raises(ValueError, match="background"):
        F.spectrum_model(BIAS, T, background=9)


def test_map_and_fit_btk_agree_on_sloped_background():
    # the issue measured ~20 % between fit-map (no background) and fit-btk (joint degree-2 background)
    rng = np.random.default_rng(1)
    b = np.linspace(-4.0, 4.0, 201)
    x = b / 4.0
    g0 = btk.conductance(b, 1.2, 0.0, 0.3, 1.5, model="dynes")
    y = 2e-9 * (1 + 0.1 * x + 0.6 * x * x) * g0 * (1 + 0.005 * rng.standard_normal(b.size))
    ref = btk.fit(b, y / 2e-9, n_gaps=1, T=1.5, model="dynes", background_degree=2, starts=3).values["delta1"]
    old = F.fit_spectrum(F.spectrum_model(b, 1.5), y).values["delta1"]
    new = F.fit_spectrum(F.spectrum_model(b, 1.5, background=True), y)
    assert abs(old / ref - 1) > 0.1                        # before: 17 % apart
    assert new.ok and abs(new.values["delta1"] / ref - 1) < 0.02
    assert new.values["delta1"] == pytest.approx(1.2, rel=0.02)
    out = F.fit_rows(np.stack([[y, y]]), b, 1.5, background=True)
    assert np.allclose(out["delta1"], new.values["delta1"], rtol=1e-4) and out["ok"].all()
    assert np.allclose(out["bg2"], 0.6, atol=0.1)


def test_ten_millikelvin_accepted():
    b = np.linspace(-1.0, 1.0, 201)
    m = F.spectrum_model(b, 0.01)
    assert m.temperature == F.T_MIN == 0.01
    y = 1e-9 * btk.conductance(b, 0.2, 0.0, 0.01, 0.01, model="dynes")
    r = F.fit_spectrum(m, y)
    assert r.ok and r.values["delta1"] == pytest.approx(0.2, rel=5e-3)
    with pytest.raises(ValueError, match="temperature"):
        F.spectrum_model(b, 0.009)


def test_read_3ds_written_as_nanonis(tmp_path):
    cube = np.arange(3 * 4 * BIAS.size, dtype=float).reshape(3, 4, BIAS.size)
    p = nanonis_3ds(tmp_path / "grid.3ds", cube, BIAS)
    da = gapmap.read_grid(p)
    assert da.dims == ("y", "x", "bias") and da.shape == (3, 4, BIAS.size)
    assert da.attrs["channel"] == "LI Demod 1 X (A)" and da.attrs["units"] == "A"
    assert np.allclose(da.bias, BIAS, atol=1e-5)                       # V in the file -> mV
    assert np.allclose(da.values, cube.astype(">f4"))
    assert np.allclose(da.x, 1e-9 - 3e-9 + (np.arange(4) + 0.5) * 1.5e-9)     # pixel centres, m
    assert np.allclose(da.y, 2e-9 - 2e-9 + (np.arange(3) + 0.5) * 4e-9 / 3)
    cur = gapmap.read_grid(p, channel="Current")
    assert np.all(cur.values == 0.0)


def test_write_3ds_round_trip(tmp_path):
    cube = np.random.default_rng(3).random((2, 5, 16))
    p = tmp_path / "w.3ds"
    gapmap.write_3ds(p, cube, np.linspace(-2, 2, 16), size_m=(5e-9, 2e-9))
    da = gapmap.read_3ds(p)
    assert np.allclose(da.values, cube, rtol=1e-6) and np.allclose(da.bias, np.linspace(-2, 2, 16), atol=1e-6)


@pytest.mark.parametrize("kind,words", [
    ("truncated", ["truncated payload", "expected"]),
    ("channel", ["channel 'LI Demod 2 X'", "not in the file"]),
    ("sweep", ["sweep signal"]),
    ("nolockin", ["no lock-in X channel"]),
])
def test_bad_3ds_files_name_file_and_problem(tmp_path, kind, words):
    cube = np.ones((2, 2, BIAS.size))
    p = tmp_path / f"bad_{kind}.3ds"
    channel = None
    if kind == "truncated":
        nanonis_3ds(p, cube, BIAS, truncate=10)
    elif kind == "channel":
        nanonis_3ds(p, cube, BIAS)
        channel = "LI Demod 2 X"
    elif kind == "sweep":
        nanonis_3ds(p, cube, BIAS, sweep=None)
    else:
        nanonis_3ds(p, cube, BIAS, channels=("Current (A)",), chan=0)
    with pytest.raises(gapmap.GridFileError) as err:
        gapmap.read_grid(p, channel)
    msg = str(err.value)
    assert str(p) in msg
    for w in words:
        assert w in msg


def test_cube_netcdf_and_bad_suffix(tmp_path):
    cube = spectra(np.full((2, 3), 1.0))
    ds = xr.Dataset({"didv": (("y", "x", "bias"), cube)}, coords={"bias": BIAS, "x": [0.0, 1e-9, 2e-9],
                                                                   "y": [0.0, 1e-9]})
    ds.to_netcdf(tmp_path / "cube.nc", engine="h5netcdf")
    da = gapmap.read_grid(tmp_path / "cube.nc")
    assert da.shape == (2, 3, BIAS.size) and da.attrs["channel"] == "didv"
    with pytest.raises(gapmap.GridFileError, match="unknown grid format"):
        gapmap.read_grid(tmp_path / "cube.txt")
    with pytest.raises(gapmap.GridFileError, match="variable 'G'"):
        gapmap.read_grid(tmp_path / "cube.nc", channel="G")


# --- fits ------------------------------------------------------------------------------------------

def test_map_from_3ds_recovers_known_gaps(tmp_path):
    truth = truth_map(6, 6)
    p = nanonis_3ds(tmp_path / "film.3ds", spectra(truth, noise=0.01), BIAS)
    maps = gapmap.fit_map(gapmap.read_grid(p), temperature=T, workers=0)
    assert maps["delta1"].dims == ("y", "x") and maps["delta1"].shape == truth.shape
    assert bool(maps["ok"].all())
    err = maps["delta1"].values - truth
    assert np.max(np.abs(err)) < 0.01                                   # meV, at 1 % noise
    pull = err / maps["delta1_stderr"].values
    assert np.sqrt(np.mean(pull**2)) < 2.5                              # errors of the right size
    assert np.allclose(maps["gamma1"], 0.1, atol=0.02)
    assert np.allclose(maps["scale"], 2e-11, rtol=0.01)
    assert maps.x.attrs["units"] == "m" and maps.attrs["model"] == "dynes" and maps.attrs["temperature_K"] == T
    for name in ("delta1_stderr", "gamma1", "gamma1_stderr", "redchi", "reason"):
        assert maps[name].dims == ("y", "x")


def test_btk_map_recovers_gap_and_barrier():
    m = F.spectrum_model(BIAS, T, "btk")
    cube = np.array([[m([d, 0.08, 0.6, 1.0]) for d in (0.9, 1.1, 1.3)]])
    grid = xr.DataArray(cube, dims=("y", "x", "bias"), coords={"bias": BIAS})
    maps = gapmap.fit_map(grid, model="btk", temperature=T, workers=0)
    assert bool(maps["ok"].all())
    assert np.allclose(maps["delta1"].values[0], [0.9, 1.1, 1.3], atol=1e-3)
    assert np.allclose(maps["z"], 0.6, atol=1e-3)


def test_failing_pixels_are_flagged_not_fatal():
    cube = spectra(np.full((2, 3), 1.0), noise=0.005)
    cube[0, 1] = np.nan                                    # lost spectrum
    cube[1, 2] = 1e-11                                     # flat: no gap
    cube[1, 0] = -np.abs(cube[1, 0])                       # negative normal state
    grid = xr.DataArray(cube, dims=("y", "x", "bias"), coords={"bias": BIAS})
    maps = gapmap.fit_map(grid, temperature=T, workers=0)
    ok = maps["ok"].values
    assert ok.tolist() == [[True, False, True], [False, True, False]]
    assert maps["reason"].values[0, 1] == 1 and maps["reason"].values[1, 0] == 1
    assert gapmap.REASONS[int(maps["reason"].values[1, 2])] in ("bad_data", "no_gap", "at_bound")
    assert np.all(np.abs(maps["delta1"].values[ok] - 1.0) < 0.01)


def test_no_gap_is_flagged():
    m = F.spectrum_model(BIAS, T)
    r = F.fit_spectrum(m, np.ones(BIAS.size) + 1e-3 * np.random.default_rng(1).standard_normal(BIAS.size))
    assert not r.ok and F.REASONS[r.reason] in ("no_gap", "at_bound")


def test_warm_start_saves_evaluations():
    truth = truth_map(4, 6)
    block = spectra(truth, noise=0.005)
    warm = F.fit_rows(block, BIAS, T)
    cold = F.fit_rows(block, BIAS, T, warm_start=False)
    assert np.allclose(warm["delta1"], cold["delta1"], atol=2e-4)
    assert warm["nfev"].sum() < cold["nfev"].sum()


# --- the engine ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_local_cluster_two_processes_matches_serial():
    truth = truth_map(4, 4)
    grid = xr.DataArray(spectra(truth, noise=0.005), dims=("y", "x", "bias"), coords={"bias": BIAS})
    serial = gapmap.fit_map(grid, temperature=T, workers=0, rows_per_chunk=1)
    dist = gapmap.fit_map(grid, temperature=T, workers=2, rows_per_chunk=1)
    assert np.array_equal(serial["ok"].values, dist["ok"].values)
    assert np.allclose(serial["delta1"].values, dist["delta1"].values, atol=1e-10, equal_nan=True)
    assert np.max(np.abs(dist["delta1"].values - truth)) < 0.01


def test_interrupted_run_resumes_with_same_maps(tmp_path, monkeypatch):
    truth = truth_map(6, 4)
    grid = xr.DataArray(spectra(truth, noise=0.005), dims=("y", "x", "bias"), coords={"bias": BIAS})
    full = gapmap.fit_map(grid, temperature=T, workers=0, rows_per_chunk=2)
    scratch = tmp_path / "maps.nc.partial"
    saves = []
    real_save = engine._scratch_save

    def save_then_die(folder, i, out):
        real_save(folder, i, out)
        saves.append(i)
        if len(saves) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(engine, "_scratch_save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        gapmap.fit_map(grid, temperature=T, workers=0, rows_per_chunk=2, scratch=scratch)
    assert len(list(scratch.glob("chunk_*.npz"))) == 2
    monkeypatch.setattr(engine, "_scratch_save", real_save)
    calls = []
    real_task = engine._chunk_task
    monkeypatch.setattr(engine, "_chunk_task", lambda *a: calls.append(1) or real_task(*a))
    resumed = gapmap.fit_map(grid, temperature=T, workers=0, rows_per_chunk=2, scratch=scratch)
    assert len(calls) == 1                                   # only the missing chunk is fitted
    assert not scratch.exists()
    for name in ("delta1", "delta1_stderr", "gamma1", "redchi"):
        assert np.array_equal(resumed[name].values, full[name].values)


def test_fit_map_rejects_bad_arguments():
    grid = xr.DataArray(np.ones((1, 1, BIAS.size)), dims=("y", "x", "bias"), coords={"bias": BIAS})
    with pytest.raises(TypeError, match="grid"):
        gapmap.fit_map(np.ones((1, 1, 5)), temperature=T)
    with pytest.raises(ValueError, match="at most one of workers, scheduler"):
        gapmap.fit_map(grid, temperature=T, workers=1, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="temperature"):
        gapmap.fit_map(grid, temperature=0.0, workers=0)
    with pytest.raises(ValueError, match="model"):
        gapmap.fit_map(grid, temperature=T, model="bcs", workers=0)


def test_write_maps_needs_force(tmp_path):
    ds = xr.Dataset({"delta1": (("y", "x"), np.ones((2, 2)))})
    p = gapmap.write_maps(ds, tmp_path / "m.nc")
    with pytest.raises(FileExistsError, match="force"):
        gapmap.write_maps(ds, p)
    gapmap.write_maps(ds * 2, p, force=True)
    assert float(xr.load_dataset(p)["delta1"].sum()) == 8.0
    assert sorted(f.name for f in tmp_path.iterdir()) == ["m.nc"]           # no temporary left


# --- the CLI ---------------------------------------------------------------------------------------

def _parser():
    p = argparse.ArgumentParser()
    cli_map.add_arguments(p)
    return p


def test_cli_fit_map(tmp_path, capsys):
    truth = truth_map(4, 4)
    grid = nanonis_3ds(tmp_path / "g.3ds", spectra(truth, noise=0.005), BIAS)
    out = tmp_path / "maps.nc"
    argv = [str(grid), "--model", "dynes", "--temperature", "2", "--workers", "0", "--out", str(out), "--no-progress"]
    assert cli_map.run(_parser().parse_args(argv)) == cli_map.EXIT_OK
    maps = xr.load_dataset(out)
    assert maps["delta1"].shape == (4, 4) and maps["ok"].dtype == bool
    assert np.max(np.abs(maps["delta1"].values - truth)) < 0.01
    assert "16/16 pixels ok" in capsys.readouterr().out
    assert cli_map.run(_parser().parse_args(argv)) == cli_map.EXIT_INPUT
    assert "--force" in capsys.readouterr().err
    assert cli_map.run(_parser().parse_args(argv + ["--force"])) == cli_map.EXIT_OK


@pytest.mark.parametrize("extra,flag", [(["--temperature", "-1"], "--temperature"), (["--gaps", "3"], "--gaps"),
                                        (["--channel", "nope"], "nope")])
def test_cli_bad_arguments_name_the_flag(tmp_path, capsys, extra, flag):
    grid = nanonis_3ds(tmp_path / "g.3ds", np.ones((1, 1, BIAS.size)), BIAS)
    argv = [str(grid), "--temperature", "2", "--workers", "0", "--out", str(tmp_path / "m.nc")] + extra
    assert cli_map.run(_parser().parse_args(argv)) == cli_map.EXIT_INPUT
    assert flag in capsys.readouterr().err
    assert not (tmp_path / "m.nc").exists()


def test_cli_exit_3_for_flagged_pixels(tmp_path, capsys):
    cube = spectra(np.full((1, 2), 1.0), noise=0.005)
    cube[0, 0] = np.nan
    grid = nanonis_3ds(tmp_path / "g.3ds", cube, BIAS)
    argv = [str(grid), "--temperature", "2", "--workers", "0", "--out", str(tmp_path / "m.nc"), "--no-progress"]
    assert cli_map.run(_parser().parse_args(argv)) == cli_map.EXIT_FLAGGED
    assert "bad_data 1" in capsys.readouterr().out


def test_existing_scheduler_address_is_used_unchanged():
    from distributed import Client, LocalCluster
    truth = truth_map(2, 3)
    grid = xr.DataArray(spectra(truth, noise=0.005), dims=("y", "x", "bias"), coords={"bias": BIAS})
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        maps = gapmap.fit_map(grid, temperature=T, scheduler=cluster.scheduler_address, rows_per_chunk=1)
        with Client(cluster) as client:                       # the cluster is still up and has our plugin
            assert len(client.scheduler_info()["workers"]) == 1
    assert bool(maps["ok"].all()) and np.max(np.abs(maps["delta1"].values - truth)) < 0.01
