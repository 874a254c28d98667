"""The dataset registry: every normaliser on its raw-format fixture, and fetching through a real HTTP
mirror on loopback (checksums, cut and dropped downloads, resumption, offline, the licence)."""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from mirror import serve
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.datasets import fetch
from newsbench.datasets.base import Counts, clean
from newsbench.datasets.registry import REGISTRY
from newsbench.errors import DataError
from newsbench.sources import DataSpec


def fixture_module(name: str):
    return importlib.import_module(f"raw_fixtures.{name}")


def normalised(name: str, root: Path):
    """The entry's normaliser and the shared cleaning on its raw-format fixture."""
    entry = REGISTRY[name]
    files = fixture_module(name).raw_files()
    assert sorted(files) == sorted(f.key for f in entry.files), "the fixture must hold every file of the entry"
    paths = {}
    for key, content in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths[key] = path
    raw = entry.normalise(paths)
    return raw, *clean(raw, entry.duplicates_within)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_normaliser_on_its_raw_format_fixture(name, tmp_path):
    entry, expected = REGISTRY[name], fixture_module(name).EXPECTED
    raw, frame, _ = normalised(name, tmp_path)
    assert len(raw) == expected["rows_in"]
    assert (int((frame.label == 0).sum()), int((frame.label == 1).sum())) == (expected["real"], expected["fake"])
    assert list(frame.columns) == list(entry.columns), "the columns the registry (and PROVENANCE) state"
    assert list(frame.columns[:4]) == ["title", "text", "label", "source"]
    for column, values in expected.get("values", {}).items():
        assert set(frame[column].astype(str)) == {str(v) for v in values}, column
    for words, label in expected.get("label_of", {}).items():  # the direction of the label mapping
        assert frame.loc[frame.text.str.contains(words, regex=False), "label"].tolist() == [label], words


def test_every_entry_pins_real_checksums_and_counts():
    for entry in REGISTRY.values():
        assert entry.files and entry.licence and entry.citation and entry.origin.startswith("http")
        for file in entry.files:
            assert len(file.sha256) == 64 and int(file.sha256, 16) >= 0 and file.size > 0
            assert len(file.commit) == 40, f"{entry.name}: {file.path} is pinned to a full commit"
        c = entry.counts
        assert c.real + c.fake == c.rows <= c.rows_in


@pytest.fixture
def mirrored(tmp_path, monkeypatch):
    """An empty cache, the network allowed, and a loopback mirror; ``install(name)`` lays out the
    name's raw-format fixture on the mirror and points the registry entry at its checksums."""
    home, root = tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv(fetch.HOME_ENV, str(home))
    monkeypatch.delenv(fetch.OFFLINE_ENV, raising=False)
    monkeypatch.delenv("NEWSBENCH_DATA_DIR", raising=False)
    server, stop = serve(root)
    monkeypatch.setenv(fetch.MIRROR_ENV, server.url)

    def install(name: str):
        entry, expected = REGISTRY[name], fixture_module(name).EXPECTED
        files = []
        for file, content in zip(entry.files, (fixture_module(name).raw_files()[f.key] for f in entry.files)):
            path = root / file.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            files.append(replace(file, sha256=hashlib.sha256(content).hexdigest(), size=len(content)))
        raw, frame, _ = normalised(name, tmp_path / "check" / name)
        counts = Counts(expected["rows_in"], expected["real"] + expected["fake"], expected["real"], expected["fake"])
        monkeypatch.setitem(REGISTRY, name, replace(entry, files=tuple(files), counts=counts))
        return REGISTRY[name]

    yield server, install, home
    stop()


def test_get_through_the_mirror_on_an_empty_cache(mirrored):
    server, install, home = mirrored
    entry = install("coaid_news")
    result = CliRunner().invoke(app, ["data", "get", "coaid_news", "--accept-licence"])
    assert result.exit_code == 0, result.output
    folder = home / "coaid_news"
    frame = pd.read_csv(folder / "data.csv")
    assert (len(frame), int(frame.label.sum())) == (entry.counts.rows, entry.counts.fake)
    stats = json.loads((folder / "stats.json").read_text())
    assert (stats["rows_in"], stats["rows"], stats["bytes"]) == (entry.counts.rows_in, len(frame),
                                                                 (folder / "data.csv").stat().st_size)
    provenance = (folder / "PROVENANCE.md").read_text()
    assert entry.licence in provenance and entry.files[0].sha256 in provenance and server.url in provenance
    assert set(server.hits.values()) == {1} and len(server.hits) == len(entry.files)
    again = CliRunner().invoke(app, ["data", "get", "coaid_news"])  # cached: nothing downloaded
    assert again.exit_code == 0 and "cached" in again.output and set(server.hits.values()) == {1}
    listing = CliRunner().invoke(app, ["data", "list"])
    row = next(line for line in listing.output.splitlines() if line.strip().startswith("coaid_news"))
    assert " cache " in row and " not fetched " not in row


def test_a_checksum_mismatch_keeps_nothing(mirrored):
    server, install, home = mirrored
    entry = install("coaid_news")
    server.corrupt.add(entry.files[2].relpath)
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch.get("coaid_news", accept=True)
    assert not (home / "coaid_news").exists()
    assert not (home / ".raw" / entry.files[2].relpath).exists()
    assert not [p for p in home.iterdir() if p.name.startswith(".coaid_news")]  # no staging folder left


def test_a_cut_download_keeps_nothing_and_a_rerun_resumes(mirrored):
    server, install, home = mirrored
    entry = install("coaid_news")
    cut, dropped = entry.files[1].relpath, entry.files[4].relpath
    server.truncate.add(cut)
    server.drop_once.add(dropped)
    with pytest.raises(DataError, match="download failed.*newsbench data get coaid_news"):
        fetch.get("coaid_news", accept=True)
    assert not (home / ".raw" / cut).exists() and not (home / "coaid_news").exists()
    assert (home / ".raw" / entry.files[0].relpath).is_file()  # verified before the failure: kept
    server.truncate.clear()
    with pytest.raises(DataError, match="download failed"):  # the connection dies in the middle of a file
        fetch.get("coaid_news", accept=True)
    folder = fetch.get("coaid_news", accept=True)
    assert (folder / "data.csv").is_file()
    # Each rerun asked only for what had not arrived whole.
    assert server.hits[entry.files[0].relpath] == 1 and server.hits[entry.files[3].relpath] == 1
    assert server.hits[cut] == 2 and server.hits[dropped] == 2 and server.hits[entry.files[-1].relpath] == 1


def test_offline_names_the_command_that_fetches(mirrored, monkeypatch):
    server, install, home = mirrored
    install("coaid_news")
    monkeypatch.setenv(fetch.OFFLINE_ENV, "1")
    with pytest.raises(DataError, match="newsbench data get coaid_news") as error:
        DataSpec.parse("coaid_news")
    assert "\n" not in str(error.value) and not server.hits


def test_the_licence_is_asked_once(mirrored, monkeypatch):
    server, install, home = mirrored
    install("coaid_news")
    asked = []
    with pytest.raises(DataError, match="licence not accepted"):
        fetch.get("coaid_news", ask=lambda text: asked.append(text) or False)
    assert not server.hits and "Cite:" in asked[0]
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(DataError, match="--accept-licence"):  # no terminal to ask on
        fetch.get("coaid_news")
    fetch.get("coaid_news", ask=lambda text: True)
    assert json.loads((home / fetch.ACCEPTED).read_text()) == ["coaid_news"]

    def must_not_ask(text):
        raise AssertionError("asked twice")

    fetch.get("coaid_news", force=True, ask=must_not_ask)


def test_a_bare_name_is_read_from_the_data_dir_then_the_cache_then_fetched(mirrored, monkeypatch, tmp_path):
    server, install, home = mirrored
    install("coaid_news")
    (home / fetch.ACCEPTED).parent.mkdir(parents=True)
    (home / fetch.ACCEPTED).write_text('["coaid_news"]')
    assert DataSpec.parse("coaid_news").path == home / "coaid_news" / "data.csv"  # fetched on first use
    hits = sum(server.hits.values())
    assert DataSpec.parse("coaid_news").path == home / "coaid_news" / "data.csv"  # then cached
    assert sum(server.hits.values()) == hits
    shared = tmp_path / "shared" / "coaid_news"
    shared.mkdir(parents=True)
    (shared / "data.csv").write_text("text,label\na,0\n")
    monkeypatch.setenv("NEWSBENCH_DATA_DIR", str(shared.parent))
    assert DataSpec.parse("coaid_news").path == shared / "data.csv"  # the data dir comes first


def test_a_mirror_folder_on_this_machine(mirrored, monkeypatch, tmp_path):
    server, install, home = mirrored
    install("coaid_news")
    monkeypatch.setenv(fetch.MIRROR_ENV, str(tmp_path / "mirror"))
    folder = fetch.get("coaid_news", accept=True)
    assert (folder / "data.csv").is_file() and not server.hits


def test_unknown_names_and_files_are_refused_before_any_download(mirrored):
    server, install, home = mirrored
    result = CliRunner().invoke(app, ["data", "get", "coaid_nwes", "--accept-licence"])
    assert result.exit_code == 2 and "did you mean coaid_news" in result.output and not server.hits
    # Case is no typo to the suggestion (names of the data folder or the registry).
    with pytest.raises(DataError, match="did you mean coaid_news"):
        DataSpec.parse("CoAID_News")


def test_a_name_in_another_case_is_suggested(monkeypatch, tmp_path):
    (tmp_path / "BBC").mkdir()
    (tmp_path / "BBC" / "data.csv").write_text("text,label\nabc,0\n")
    monkeypatch.setenv("NEWSBENCH_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="did you mean BBC"):
        DataSpec.parse("bbc")
    with pytest.raises(DataError, match=f"did you mean {tmp_path / 'BBC'}"):
        DataSpec.parse(str(tmp_path / "bbC"))


def test_the_demo_fetches_its_datasets_through_a_mirror_then_scores_one(mirrored, tmp_path, corpus_csv):
    """make demo's data step on an empty cache (no data dir), then a detector scored on a fetched set."""
    from newsbench.datasets.commands import study_datasets

    server, install, home = mirrored
    names = study_datasets(Path(__file__).parents[1] / "examples" / "quickstart.toml")
    assert set(names) == {"isot_samples", "llmfake", "f3", "fakenewsamt_celebrity", "sheepdog_adv", "coaid_news"}
    entries = {name: install(name) for name in names}
    runner = CliRunner()
    result = runner.invoke(app, ["data", "get", "--study", "examples/quickstart.toml", "--accept-licence"])
    assert result.exit_code == 0, result.output
    for name, entry in entries.items():
        assert len(pd.read_csv(home / name / "data.csv")) == entry.counts.rows, name
    assert sum(server.hits.values()) == sum(len(e.files) for e in entries.values())  # each file once

    model, out = tmp_path / "model", tmp_path / "eval"
    trained = runner.invoke(app, ["train", "--recipe", "tfidf-lr", "--data", corpus_csv, "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    scored = runner.invoke(app, ["evaluate", "--model", str(model), "--allow-pickle", "--data", "coaid_news",
                                 "--out", str(out)])
    assert scored.exit_code == 0, scored.output
    evaluation = json.loads((out / "results.json").read_text())["evaluations"][0]
    assert evaluation["n"] == entries["coaid_news"].counts.rows
    assert str(home / "coaid_news" / "data.csv") in json.dumps(evaluation)


def test_raw_pickles_are_read_as_plain_data_only(tmp_path):
    import pickle

    from newsbench.datasets.base import plain_pickle

    (tmp_path / "plain.pkl").write_bytes(pickle.dumps({"news": ["a", "b"], "labels": [0, 1]}))
    assert plain_pickle(tmp_path / "plain.pkl") == {"news": ["a", "b"], "labels": [0, 1]}
    (tmp_path / "code.pkl").write_bytes(pickle.dumps({"news": [Path("x")]}))  # names a class: refused
    with pytest.raises(pickle.UnpicklingError, match="refusing pathlib"):
        plain_pickle(tmp_path / "code.pkl")


def test_get_leaves_what_the_data_dir_holds(mirrored, monkeypatch, tmp_path):
    server, install, home = mirrored
    install("coaid_news")
    shared = tmp_path / "shared" / "coaid_news"
    shared.mkdir(parents=True)
    (shared / "data.csv").write_text("text,label\na,0\n")
    monkeypatch.setenv("NEWSBENCH_DATA_DIR", str(shared.parent))
    result = CliRunner().invoke(app, ["data", "get", "coaid_news", "--accept-licence"])
    assert result.exit_code == 0 and "in $NEWSBENCH_DATA_DIR: coaid_news" in result.output
    assert not server.hits and not (home / "coaid_news").exists()
    forced = CliRunner().invoke(app, ["data", "get", "coaid_news", "--accept-licence", "--force"])
    assert forced.exit_code == 0 and (home / "coaid_news" / "data.csv").is_file()


def test_a_damaged_cache_is_fetched_again_and_a_foreign_folder_is_left_alone(mirrored, monkeypatch):
    server, install, home = mirrored
    entry = install("coaid_news")
    folder = fetch.get("coaid_news", accept=True)
    lines = (folder / "data.csv").read_text().splitlines(keepends=True)
    (folder / "data.csv").write_text("".join(lines[:3]))  # cut at a row boundary: still parses
    assert fetch.cached("coaid_news") is None
    monkeypatch.setenv(fetch.OFFLINE_ENV, "1")
    with pytest.raises(DataError, match="damaged"):
        DataSpec.parse("coaid_news")
    monkeypatch.delenv(fetch.OFFLINE_ENV)
    assert len(pd.read_csv(DataSpec.parse("coaid_news").path)) == entry.counts.rows  # fetched again
    # An edit that keeps the size (labels swapped in place) is damage too: the content is checked.
    text = (folder / "data.csv").read_text()
    swapped = text.replace(",0,", ",\x00,").replace(",1,", ",0,").replace(",\x00,", ",1,")
    assert swapped != text and len(swapped.encode()) == len(text.encode())
    (folder / "data.csv").write_text(swapped)
    assert fetch.cached("coaid_news") is None
    mine = home / "propanews"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    install("propanews")
    listing = CliRunner().invoke(app, ["data", "list"]).output.splitlines()
    here = {line.split()[0]: line for line in listing if line.split()}
    assert "damaged (data get --force)" in here["coaid_news"] and "foreign folder" in here["propanews"]
    with pytest.raises(DataError, match="not written by `newsbench data get`"):
        fetch.get("propanews", accept=True)
    assert (mine / "notes.txt").read_text() == "mine"


def test_settings_and_files_a_user_can_get_wrong(mirrored, monkeypatch, tmp_path):
    server, install, home = mirrored
    install("coaid_news")
    home.mkdir()
    (home / fetch.ACCEPTED).write_text("{bad")
    with pytest.raises(DataError, match="accepted-licences.json.*delete it"):
        fetch.get("coaid_news", accept=True)
    (home / fetch.ACCEPTED).unlink()
    monkeypatch.setenv(fetch.MIRROR_ENV, "ftp://example.org/raw")
    with pytest.raises(DataError, match="NEWSBENCH_DATA_MIRROR=.*http"):
        fetch.get("coaid_news", accept=True)
    host = server.url.removeprefix("http://")
    monkeypatch.setenv(fetch.MIRROR_ENV, f"http://alice:s3cret@{host}")
    folder = fetch.get("coaid_news", accept=True)
    provenance = (folder / "PROVENANCE.md").read_text()
    assert "s3cret" not in provenance and f"alice:***@{host}" in provenance
    monkeypatch.setenv(fetch.MIRROR_ENV, server.url + "/missing")
    with pytest.raises(DataError, match="HTTP 404"):
        fetch.get("coaid_news", accept=True, force=True)
    monkeypatch.setenv(fetch.OFFLINE_ENV, "1")  # a mirror folder needs no network
    monkeypatch.setenv(fetch.MIRROR_ENV, str(tmp_path / "mirror"))
    assert fetch.get("coaid_news", accept=True, force=True) == folder
    assert not list((home / ".raw").rglob("*.csv"))  # raw copies are not kept once the set is written


def test_get_goes_on_past_a_failing_dataset_and_says_which_failed(mirrored):
    server, install, home = mirrored
    broken, whole = install("coaid_news"), install("propanews")
    server.corrupt.add(broken.files[0].relpath)
    assert server.hits[whole.files[0].relpath] == 0
    result = CliRunner().invoke(app, ["data", "get", "coaid_news", "propanews", "propanews", "--accept-licence"])
    assert result.exit_code == 2 and "1 of 2 datasets not fetched: coaid_news" in result.output
    assert (home / "propanews" / "data.csv").is_file() and not (home / "coaid_news").exists()
    assert server.hits[whole.files[0].relpath] == 1  # named twice, fetched once


def test_study_files_of_any_shape(tmp_path):
    from newsbench.datasets.commands import study_datasets

    odd = tmp_path / "odd.toml"
    odd.write_text('detectors = [1, 2]\ndatasets = "x"\n[profile]\ntexts = "welfake_sample"\n'
                   '[crossval]\ndata = ["a=coaid_news:fake", "nope", 3]\n')
    assert study_datasets(odd) == ["coaid_news", "welfake_sample"]
    (tmp_path / "none.toml").write_text("")
    result = CliRunner().invoke(app, ["data", "get", "--study", str(tmp_path / "none.toml")])
    assert result.exit_code == 0 and "names no dataset of the registry" in result.output
