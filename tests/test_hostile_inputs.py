"""Broken and hostile input, tried as a new user would: each case gets the one-line error (exit 2)
or is handled without losing a row, and nothing from the data runs in a browser or a spreadsheet.

Most tests drive the ``newsbench`` command, the interface users run.
"""

from __future__ import annotations

import csv
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from newsbench.cli import app

runner = CliRunner()
# Payloads that, if they ever ran, would mark the page: a browser test looks for the mark.
SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
SVG = "<svg onload=alert(1)>"
LINK = "[click](javascript:alert(1))"
COLUMN = "<img src=x onerror=alert(1)>"  # a metadata column name (no comma: --group-by splits on commas)


def invoke(*args, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def one_line_error(result) -> str:
    """The CLI's diagnosed error: exit status 2, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


class Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, as a browser's parser would see them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(page: str, image_prefix: str) -> None:
    """No script, no event handler, no foreign element, no javascript: link, only our images."""
    tags = Tags(page).tags
    names = {t for t, _ in tags}
    assert not names & {"script", "svg", "iframe", "object", "embed"}, names
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not str(attrs.get("href", "")).lower().startswith("javascript"), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith(image_prefix), attrs


@pytest.fixture
def hostile_run(tmp_path, corpus):
    """An evaluation whose dataset name, model cues, texts, titles, metadata values and a
    metadata column name are all markup."""
    frame = corpus.copy()
    frame.loc[0, "title"] = SCRIPT
    frame.loc[1, "text"] = IMG + " " + frame.loc[1, "text"]
    frame.loc[2, "text"] = LINK + " " + frame.loc[2, "text"]
    frame["note"] = LINK + " __bold__ _em_ ~~strike~~ $x$"
    frame["source"] = np.where(frame.index % 2, SVG, SCRIPT)
    frame[COLUMN] = "x"
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "run"
    result = invoke("evaluate", "--model", f"fake:{IMG.replace(',', ' ')}", "--data", f"{SCRIPT}={path}",
                    "--group-by", f"source,{COLUMN},note", "--errors", 60, "--bootstrap", 0, "--out", out)
    assert result.exit_code == 0, result.output
    return out


# 1. Stored XSS in the reports

def test_report_html_shows_markup_from_the_data_as_text(hostile_run):
    page = (hostile_run / "report.html").read_text()
    assert_inert(page, "data:image/png;base64,")
    assert "&lt;script&gt;document.documentElement" in page  # shown, as text
    assert "&lt;img src=x onerror=" in page and "&lt;svg onload=alert(1)&gt;" in page


def test_report_markdown_renders_to_inert_html(hostile_run):
    from markdown_it import MarkdownIt

    text = (hostile_run / "report.md").read_text()
    # A CommonMark renderer that passes raw HTML through, as many Markdown viewers do.
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert_inert(rendered, "plots/")
    assert "<a " not in rendered  # no link came out of the data
    assert not re.search(r"<(em|s|del)>", rendered)  # nor emphasis (the template's own is **bold**)
    assert "document.documentElement.setAttribute" in rendered and "__bold__ _em_ ~~strike~~ $x$" in rendered


def test_comparison_and_profile_markdown_escape_names(hostile_run, tmp_path):
    from markdown_it import MarkdownIt

    from newsbench.reporting.blocks import Block, to_html, to_markdown

    second = tmp_path / "again"
    shutil.copytree(hostile_run, second)
    result = invoke("compare", hostile_run, second, "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cmp" / "comparison.md").read_text()
    blocks = [Block("h2", SCRIPT), Block("p", IMG), Block("table", header=[SVG], rows=[[LINK]]),
              Block("ul", rows=[[SCRIPT]])]
    for source in (text, to_markdown([Block("h1", SCRIPT), *blocks])):
        rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(source)
        assert_inert(rendered, "plots/")
        assert "<a " not in rendered
    assert_inert(to_html(blocks, SCRIPT, {}), "data:")


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by .ci/run)")
def test_report_runs_no_script_in_chromium(hostile_run, tmp_path):
    """Load the page in a real browser with scripts enabled: the payloads, had they become
    markup, would set data-pwned on the document."""
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=3000", "--dump-dom", (hostile_run / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "newsbench evaluation report" in dom  # the page loaded
    assert "data-pwned=" not in dom


# 2. Label semantics follow the column

@pytest.mark.parametrize("column, values, expected", [
    ("is_fake", ("True", "False"), (1, 0)),
    ("is_fake", ("1", "0"), (1, 0)),
    ("is_real", ("yes", "no"), (0, 1)),
    ("label", ("True", "False"), (0, 1)),  # a verdict: true = real news
    ("label", ("fake", "real"), (1, 0)),
])
def test_label_columns_are_read_as_they_mean(tmp_path, column, values, expected):
    frame = pd.DataFrame({"text": [f"article number {i} about cats" for i in range(20)],
                          column: [values[i % 2] for i in range(20)]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "run"
    result = invoke("evaluate", "--model", "fake", "--data", tmp_path / "d.csv", "--bootstrap", 0, "--out", out)
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv")
    rows = predictions["id"].str.split(":").str[1].astype(int)
    assert (predictions["label"] == np.where(rows % 2 == 0, expected[0], expected[1])).all()
    [source] = json.loads((out / "results.json").read_text())["evaluations"][0]["files"]
    assert source["label_mapping"] == {values[0]: expected[0], values[1]: expected[1]}
    assert column in source["label_source"]
    assert f"'{values[0]}' = {'fake' if expected[0] else 'real'}" in (out / "report.md").read_text()


# 3. Checkpoint code runs only with --trust-remote-code, and nothing prompts

@pytest.fixture
def remote_code_model(tmp_path, tiny_bert):
    """A classifier folder whose config.json asks transformers to run evil.py (auto_map)."""
    folder = tmp_path / "remote"
    shutil.copytree(tiny_bert, folder)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = "evilbert"
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForSequenceClassification": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    marker = tmp_path / "code-ran"
    (folder / "evil.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    return folder, marker


@pytest.mark.parametrize("command", [
    ["evaluate", "--backend", "torch"],
    ["evaluate", "--backend", "onnx"],
    ["profile", "--backend", "torch", "--batch-sizes", "1", "--lengths", "16", "--memory-lengths", "16"],
    ["export"],
])
def test_remote_code_needs_the_flag_even_when_stdin_says_yes(tmp_path, remote_code_model, corpus_csv, command,
                                                              monkeypatch):
    folder, marker = remote_code_model
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "cache"))
    data = ["--data", corpus_csv] if command[0] == "evaluate" else []
    result = invoke(*command, "--model", folder, *data, "--out", tmp_path / "out", input="y\ny\ny\n")
    assert "--trust-remote-code" in one_line_error(result)
    assert not marker.exists()


def test_exported_onnx_folder_does_not_run_its_config_code(tmp_path, remote_code_model, corpus_csv):
    """An ONNX folder carries config.json and tokenizer files that transformers reads too."""
    folder, marker = remote_code_model
    (folder / "model.onnx").write_bytes(b"never reached")
    result = invoke("evaluate", "--model", folder, "--data", corpus_csv, "--out", tmp_path / "out", input="y\ny\n")
    assert "--trust-remote-code" in one_line_error(result)
    assert not marker.exists()


# 4. A stray quote is an error at its line, never merged rows

def stray_quote_csv(tmp_path, closing: bool) -> Path:
    lines = ["id,text,label"] + [f"{i},article {i} about the budget,{i % 2}" for i in range(21)]
    lines[6] = '5,"article 5 opens a quote and never closes it,1'
    if closing:  # a second stray quote closes the field, so a strict parser alone accepts it
        lines[13] = '12,article 12 ends with a stray quote",0'
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("closing", [False, True])
def test_stray_quote_fails_with_the_line(tmp_path, closing):
    path = stray_quote_csv(tmp_path, closing)
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", path, "--out", tmp_path / "o"))
    assert str(path) in message and "line 7" in message and '""' in message


def test_quoted_multiline_text_still_loads(tmp_path):
    frame = pd.DataFrame({"text": ["first para,\nsecond, para 1", "x\r\ny, 0", "plain"], "label": [0, 1, 0]})
    frame.to_csv(tmp_path / "ok.csv", index=False)
    from newsbench.data import DataSpec, load_dataset

    dataset = load_dataset([DataSpec.parse(str(tmp_path / "ok.csv"))])
    assert dataset.texts == frame["text"].tolist() and dataset.labels.tolist() == [0, 1, 0]


# 5. One-line errors, before the expensive work

def test_out_naming_a_file_fails_before_scoring(tmp_path, corpus_csv):
    (tmp_path / "taken").write_text("mine")
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--out", tmp_path / "taken"))
    assert "is a file" in message and (tmp_path / "taken").read_text() == "mine"


def test_out_refuses_a_folder_that_is_not_a_run(tmp_path, tiny_bert, corpus_csv):
    model = tmp_path / "model"
    shutil.copytree(tiny_bert, model)
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--out", model))
    assert "results.json" in message and (model / "config.json").exists()


def test_missing_absolute_data_path_fails_before_the_model_loads(tmp_path):
    (tmp_path / "news.csv").write_text("text,label\na,0\n")
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")  # loading it would fail with another message
    message = one_line_error(invoke("evaluate", "--model", broken, "--data", tmp_path / "nwes.csv",
                                    "--out", tmp_path / "o"))
    assert "data file not found" in message and "news.csv" in message


def test_truncated_safetensors_is_a_model_error(tmp_path, tiny_bert, corpus_csv):
    model = tmp_path / "model"
    shutil.copytree(tiny_bert, model)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    message = one_line_error(invoke("evaluate", "--model", model, "--data", corpus_csv, "--out", tmp_path / "o"))
    assert "could not load" in message and str(model) in message


def test_corrupt_onnx_is_a_model_error(tmp_path, tiny_bert, corpus_csv):
    folder = tmp_path / "export"
    shutil.copytree(tiny_bert, folder)
    (folder / "model.onnx").write_bytes(b"\x08\x07 not a protobuf" * 40)
    message = one_line_error(invoke("evaluate", "--model", folder, "--data", corpus_csv, "--out", tmp_path / "o"))
    assert "model.onnx" in message and "export it again" in message


def test_dataset_name_with_mathtext_plots_as_text(tmp_path, corpus_csv):
    out = tmp_path / "o"
    result = invoke("evaluate", "--model", "fake", "--data", rf"a $\frac{{1}}{{$ b={corpus_csv}", "--bootstrap", 0,
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "plots" / "curves.png").stat().st_size > 1000


def test_text_template_with_a_format_spec_is_refused(tmp_path, corpus_csv):
    message = one_line_error(invoke("train", "--data", corpus_csv, "--text-template", "{title:>99999999999999}",
                                    "--out", tmp_path / "m"))
    assert "plain column name" in message and not (tmp_path / "m").exists()


# 6. CSV cells cannot run as spreadsheet formulas

def test_formula_cells_are_neutralised_and_still_read_by_pandas(tmp_path, corpus):
    frame = corpus.copy()
    values = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tlead", "\rlead", "-3.5", "plain"]
    frame["source"] = [values[i % len(values)] for i in range(len(frame))]
    frame = pd.concat([frame, frame.head(2)], ignore_index=True)  # duplicates: rows in skipped.csv
    frame.to_csv(tmp_path / "d.csv", index=False, quoting=csv.QUOTE_NONNUMERIC)  # quoted, so "\r" stays in its cell
    out = tmp_path / "o"
    result = invoke("evaluate", "--model", "fake", "--data", f"@cmd={tmp_path / 'd.csv'}", "--bootstrap", 0,
                    "--group-by", "source", "--out", out)
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv", keep_default_na=False).set_index("id")
    assert set(predictions["dataset"]) == {"'@cmd"}
    shown = [predictions.loc[f"d:{i}", "source"] for i in range(len(values))]
    assert shown == ["'" + v if v not in ("-3.5", "plain") else v for v in values]
    skipped = pd.read_csv(out / "skipped.csv", keep_default_na=False)
    assert len(skipped) == 2 and set(skipped["dataset"]) == {"'@cmd"}


# 7. The output folder is written as one set

def test_reused_out_holds_only_the_new_run(tmp_path, corpus):
    corpus.to_csv(tmp_path / "a.csv", index=False)
    corpus.assign(text=corpus.text + " b").to_csv(tmp_path / "b.csv", index=False)
    out = tmp_path / "o"
    assert invoke("evaluate", "--model", "fake", "--data", tmp_path / "a.csv", "--data", tmp_path / "b.csv",
                  "--bootstrap", 0, "--out", out).exit_code == 0
    assert (out / "plots" / "01-b-confusion.png").exists()
    assert invoke("evaluate", "--model", "fake", "--data", tmp_path / "a.csv", "--bootstrap", 0,
                  "--out", out).exit_code == 0
    datasets = [e["dataset"] for e in json.loads((out / "results.json").read_text())["evaluations"]]
    assert datasets == ["a"] and set(pd.read_csv(out / "predictions.csv")["dataset"]) == {"a"}
    assert not (out / "plots" / "01-b-confusion.png").exists()  # no stale file from the old run
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_interrupt_while_saving_keeps_the_previous_run(tmp_path, corpus_csv, monkeypatch):
    from newsbench.config import EvalConfig
    from newsbench.evaluation import evaluate, save_run

    out = tmp_path / "o"
    save_run(evaluate(EvalConfig(model="fake", data=[corpus_csv], n_bootstrap=0)), out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    run = evaluate(EvalConfig(model="fake:cats", data=[corpus_csv], n_bootstrap=0))
    calls = []
    real_write = Path.write_bytes

    def interrupted(self, data):
        calls.append(self)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_run(run, out)
    monkeypatch.undo()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before and len(calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(corpus_csv).name, "o"])  # no temporary folder


# 8. A mistyped local path is "not found" at once, not a hub id

def test_mistyped_model_path_is_not_a_hub_id(tmp_path, corpus_csv, monkeypatch):
    (tmp_path / "runs" / "lr").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    message = one_line_error(invoke("evaluate", "--model", "runs/l", "--data", corpus_csv, "--out", "o"))
    assert "model not found: runs/l" in message and "did you mean" in message and "lr" in message
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    message = one_line_error(invoke("evaluate", "--model", "someorg/somemodel", "--data", corpus_csv, "--out", "o"))
    assert "not found" in message and "HF_HUB_OFFLINE" in message


# 9. Smaller cases

def test_unknown_group_by_column_suggests_a_name(tmp_path, corpus_csv):
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--group-by", "sourc",
                                    "--out", tmp_path / "o"))
    assert "did you mean 'source'" in message


def test_corrupt_joblib_says_what_is_wrong(tmp_path, corpus_csv):
    (tmp_path / "model.joblib").write_bytes(b"")  # unpickling raises EOFError(), which has no message
    message = one_line_error(invoke("evaluate", "--model", tmp_path / "model.joblib", "--allow-pickle",
                                    "--data", corpus_csv, "--out", tmp_path / "o"))
    assert re.search(r"could not load \S+model\.joblib: EOFError", message)


def test_unknown_file_label_suffix_names_the_valid_ones(tmp_path, corpus_csv):
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", f"{corpus_csv}:maybe",
                                    "--out", tmp_path / "o"))
    assert "':maybe' is not a label" in message and ":real" in message and ":fake" in message


def test_bootstrap_memory_is_bounded_and_its_numbers_do_not_depend_on_chunking():
    import tracemalloc

    from newsbench import metrics

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40_000)
    prob = np.clip(0.3 * y + rng.random(40_000) * 0.7, 0, 1)
    small = metrics.bootstrap(y[:999], prob[:999], n_resamples=300, seed=3)
    chunked = metrics.bootstrap(y[:999], prob[:999], n_resamples=300, seed=3, max_cells=5_000)
    # The same resamples; BLAS may round a 5-row product differently from a 250-row one in the last bits.
    assert small.keys() == chunked.keys() and all(
        chunked[k] == pytest.approx(v, rel=1e-12, abs=1e-15, nan_ok=True) for k, v in small.items())
    tracemalloc.start()
    metrics.bootstrap(y, prob, n_resamples=100, seed=0, max_cells=200_000)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    # 5 resamples x 40,000 rows per chunk: about ten 1.6 MB arrays, far below 100 resamples at once (~320 MB)
    assert peak < 60, peak


# 10. The documented Python API

def test_public_names_are_what_they_say_whatever_was_imported_first():
    code = ("import newsbench.evaluation, newsbench.training, newsbench.profiling, newsbench.comparison\n"
            "import inspect, newsbench\n"
            "from newsbench import *\n"
            "bad = [n for n in newsbench.__all__ if inspect.ismodule(getattr(newsbench, n))]\n"
            "assert not bad, bad\n"
            "from newsbench import evaluate, train, profile, compare\n"
            "assert all(callable(f) and not inspect.ismodule(f) for f in (evaluate, train, profile, compare))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr


def test_readme_python_example_runs(tmp_path, tiny_bert, corpus, monkeypatch):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_bert, tmp_path / "path" / "to" / "hf-model")
    corpus[corpus.label == 0].to_csv(tmp_path / "real.csv", index=False)
    corpus[corpus.label == 1].to_csv(tmp_path / "fake.csv", index=False)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "runs" / "study" / "results.json").exists()


def test_version_flag():
    from newsbench import __version__

    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"newsbench {__version__}"



# Found by probing the fixes above

def test_data_columns_cannot_overwrite_newsbench_columns(tmp_path):
    frame = pd.DataFrame({"text": [f"story {i} about cats" for i in range(10)], "label": [i % 2 for i in range(10)],
                          "pred": [1 - i % 2 for i in range(10)], "dataset": "other", "prob_fake": "0.99"})
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o"
    result = invoke("evaluate", "--model", "fake", "--data", tmp_path / "d.csv", "--group-by", "pred_orig",
                    "--bootstrap", 0, "--out", out)
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv")
    confusion = json.loads((out / "results.json").read_text())["evaluations"][0]["confusion"]
    assert set(predictions["dataset"]) == {"d"} and (predictions["pred_orig"] == 1 - predictions["label"]).all()
    assert (predictions["pred"] == predictions["label"]).sum() == confusion["tn"] + confusion["tp"]


def test_out_keeps_a_folder_with_files_newsbench_did_not_write(tmp_path, corpus_csv):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(corpus_csv, folder / "data.csv")
    (folder / "results.json").write_text('{"other_tool": true}')
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", folder, "--out", folder))
    assert "will not write over it" in message and (folder / "data.csv").exists()
    out = tmp_path / "run"
    assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--out", out))
    assert "notes.txt" in message and (out / "notes.txt").read_text() == "mine"


def test_out_through_a_symlink_updates_the_run_it_points_to(tmp_path, corpus_csv):
    target, link = tmp_path / "run", tmp_path / "latest"
    assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0, "--out", target).exit_code == 0
    link.symlink_to(target)
    assert invoke("evaluate", "--model", "fake:cats", "--data", corpus_csv, "--bootstrap", 0,
                  "--out", link).exit_code == 0
    assert link.is_symlink() and "fake:cats" in (target / "results.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["latest", "news.csv", "run"])


def test_terminal_markup_in_names_is_printed_as_text(tmp_path, corpus):
    corpus.rename(columns={"source": "[bold red]src"}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o[/]"
    result = invoke("evaluate", "--model", "fake", "--data", f"[/x]={tmp_path / 'd.csv'}", "--bootstrap", 0,
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert "o[/]" in result.output
    (tmp_path / "m.csv").write_text("body,[/x]\nhello,1\n")
    message = one_line_error(invoke("evaluate", "--model", "fake", "--data", tmp_path / "m.csv", "--out", out))
    assert "no text column" in message and "[/x]" in message


@pytest.mark.parametrize("content, suffix", [("[" * 100_000 + "]" * 100_000, ".json"),
                                             ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", ".jsonl")])
def test_deeply_nested_json_is_a_data_error(tmp_path, content, suffix):
    (tmp_path / f"d{suffix}").write_text(content)
    assert "too deeply" in one_line_error(invoke("evaluate", "--model", "fake", "--data", tmp_path / f"d{suffix}",
                                                 "--out", tmp_path / "o"))


def test_jsonl_keeps_line_separators_inside_strings(tmp_path):
    texts = ["para one\u2028para two", "a\u2029b", "c\x85d", "plain"]
    lines = [json.dumps({"text": t, "label": i % 2}, ensure_ascii=False) for i, t in enumerate(texts)]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n")
    from newsbench.data import DataSpec, load_dataset

    assert load_dataset([DataSpec.parse(str(tmp_path / "d.jsonl"))]).texts == texts


@pytest.mark.parametrize("results", ["{not json", "[]", '{"schema_version": 1}', '{"schema_version": "1.0"}'])
def test_report_and_compare_refuse_a_broken_results_json(tmp_path, corpus_csv, results):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for out in (good, bad):
        assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0,
                      "--out", out).exit_code == 0
    (bad / "results.json").write_text(results)
    assert "results.json" in one_line_error(invoke("report", bad))
    assert "results.json" in one_line_error(invoke("compare", good, bad, "--out", tmp_path / "c"))


@pytest.mark.parametrize("field, value, message", [
    ("value", 7.5, r"evaluations\[0\].metrics.accuracy: 7.5 is not a value in \[0, 1\]"),
    ("value", "0.9", r"evaluations\[0\].metrics.accuracy.value: expected a number, found '0.9'"),
    ("ci95", [-3, 1], r"evaluations\[0\].metrics.accuracy: -3.0 is not a value in \[0, 1\]"),
])
def test_report_refuses_metrics_that_are_not_numbers_in_range(tmp_path, corpus_csv, field, value, message):
    out = tmp_path / "run"
    assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0, "--out", out).exit_code == 0
    results = json.loads((out / "results.json").read_text())
    results["evaluations"][0]["metrics"]["accuracy"][field] = value
    (out / "results.json").write_text(json.dumps(results))
    line = one_line_error(invoke("report", out))
    assert "results.json" in line and re.search(message, line), line


@pytest.mark.parametrize("edit", [lambda f: f.drop(columns="pred"), lambda f: f.assign(pred="x")])
def test_compare_refuses_a_broken_predictions_csv(tmp_path, corpus_csv, edit):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for out in (good, bad):
        assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0,
                      "--out", out).exit_code == 0
    edit(pd.read_csv(bad / "predictions.csv")).to_csv(bad / "predictions.csv", index=False)
    assert "predictions.csv" in one_line_error(invoke("compare", good, bad, "--out", tmp_path / "c"))


def test_compare_pairs_datasets_that_pandas_would_read_as_missing(tmp_path, corpus_csv):
    runs = [tmp_path / "a", tmp_path / "b"]
    for model, out in zip(("fake", "fake:cats"), runs):
        assert invoke("evaluate", "--model", model, "--data", f"NA={corpus_csv}", "--bootstrap", 0,
                      "--out", out).exit_code == 0
    result = invoke("compare", *runs, "--out", tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "c" / "comparison.json").read_text())["datasets"][0]["dataset"] == "NA"


def test_train_failures_are_one_line_and_leave_no_folder(tmp_path):
    frame = pd.DataFrame({"text": [f"w{i}" for i in range(40)], "label": [i % 2 for i in range(40)],
                          "grp": ["a"] * 39 + ["b"]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    message = one_line_error(invoke("train", "--data", tmp_path / "d.csv", "--out", tmp_path / "m"))
    assert "at least 2 articles" in message and not (tmp_path / "m").exists()
    frame.assign(text=[f"story about cats number {i}" for i in range(40)]).to_csv(tmp_path / "d.csv", index=False)
    message = one_line_error(invoke("train", "--data", tmp_path / "d.csv", "--group-col", "grp",
                                    "--out", tmp_path / "m"))
    assert "stratified" in message and not (tmp_path / "m").exists()


def test_retraining_replaces_the_whole_model_folder(tmp_path, corpus):
    pd.concat([corpus, corpus.head(1)]).to_csv(tmp_path / "dup.csv", index=False)
    corpus.to_csv(tmp_path / "clean.csv", index=False)
    model = tmp_path / "m"
    assert invoke("train", "--data", tmp_path / "dup.csv", "--out", model).exit_code == 0
    assert (model / "skipped.csv").exists()
    assert invoke("train", "--data", tmp_path / "clean.csv", "--out", model).exit_code == 0
    assert not (model / "skipped.csv").exists()  # it described the other data


def test_evaluation_builds_texts_with_the_models_template(tmp_path, corpus):
    corpus.to_csv(tmp_path / "d.csv", index=False)
    model = tmp_path / "m"
    assert invoke("train", "--data", tmp_path / "d.csv", "--text-template", "{text} ZZZ {title}",
                  "--out", model).exit_code == 0
    out = tmp_path / "o"
    assert invoke("evaluate", "--model", model, "--allow-pickle", "--data", tmp_path / "d.csv", "--bootstrap", 0,
                  "--out", out).exit_code == 0
    [ev] = json.loads((out / "results.json").read_text())["evaluations"]
    assert ev["skipped"] == {"in_training_data": 108}  # train + validation rows: the leakage check sees them


def test_files_with_the_same_name_stay_separate_datasets(tmp_path, corpus):
    (tmp_path / "sub").mkdir()
    corpus.to_csv(tmp_path / "base.csv", index=False)
    corpus.assign(text=corpus.text + " x").to_csv(tmp_path / "sub" / "base.csv", index=False)
    out = tmp_path / "o"
    assert invoke("evaluate", "--model", "fake", "--data", tmp_path / "base.csv",
                  "--data", tmp_path / "sub" / "base.csv", "--data", f"base={tmp_path / 'base.csv'}",
                  "--bootstrap", 0, "--out", out).exit_code == 0
    evaluations = json.loads((out / "results.json").read_text())["evaluations"]
    assert [(e["dataset"], e["n_input"]) for e in evaluations] == [("base_2", 120), ("base_3", 120), ("base", 120)]


def test_a_long_dataset_name_still_writes_its_plots(tmp_path, corpus_csv):
    out = tmp_path / "o"
    result = invoke("evaluate", "--model", "fake", "--data", f"{'n' * 243}={corpus_csv}", "--bootstrap", 0,
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert len(list((out / "plots").glob("00-n*-confusion.png"))) == 1


def test_messages_stay_on_one_line(tmp_path):
    folder = tmp_path / "a\nb"
    folder.mkdir()
    (folder / "d.csv").write_text("x,y\n1,2\n")
    result = invoke("evaluate", "--model", "fake", "--data", folder / "d.csv", "--out", tmp_path / "o")
    assert len(result.output.strip().splitlines()) == 1 and "no text column" in one_line_error(result)


# The loader on arbitrary tables (Hypothesis): every row is scored or skipped, texts round-trip,
# and the only failure is a DataError.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELL = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # any unicode but lone surrogates
LABEL = st.one_of(st.sampled_from(["0", "1", "1.0", "0.0", "real", "FAKE", "True", "false", " fake ", "maybe",
                                   "", "2", "nan", "-1"]), CELL)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    elif path.suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t", quoting=csv.QUOTE_NONNUMERIC)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(CELL, LABEL, CELL), min_size=1, max_size=12),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet"]))
def test_loader_accounts_for_every_row_of_any_table(tmp_path_factory, rows, suffix):
    from newsbench.data import DataSpec, load_dataset
    from newsbench.errors import DataError
    from newsbench.labels import parse_label

    frame = pd.DataFrame(rows, columns=["text", "label", "note"])
    path = tmp_path_factory.mktemp("table") / f"t{suffix}"
    write_table(frame, path)
    try:
        dataset = load_dataset([DataSpec(path)])
    except DataError:
        return  # e.g. no row has a readable label: a one-line error, never another exception
    assert dataset.n_input == len(frame) == len(dataset.rows) + len(dataset.skipped)
    row = {int(i.rsplit(":", 1)[1]) for i in dataset.skipped["id"]}
    assert row.isdisjoint(int(i.rsplit(":", 1)[1]) for i in dataset.rows["id"])
    for i, text, label, note in zip(dataset.rows["id"], dataset.rows["text"], dataset.rows["label"],
                                    dataset.rows["note"]):
        k = int(i.rsplit(":", 1)[1])
        assert text == frame["text"][k].strip() and note == frame["note"][k]
        assert label == parse_label(frame["label"][k], "label")


def test_a_cache_setting_that_names_a_file_is_an_error_naming_the_variable(tmp_path, monkeypatch):
    from newsbench.errors import ConfigError
    from newsbench.outputs import cache_root

    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "afile" / "sub"))
    with pytest.raises(ConfigError, match=r"NEWSBENCH_CACHE=.*afile/sub: .*afile is a file, not a folder"):
        cache_root()
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "fine" / "sub"))
    assert cache_root() == tmp_path / "fine" / "sub"


def test_stray_quotes_are_found_in_small_chunks_and_lists_are_no_rows(tmp_path):
    from newsbench.errors import DataError
    from newsbench.tables import iter_table

    labelled = stray_quote_csv(tmp_path, closing=True)  # predict reads a chunk at a time
    with pytest.raises(DataError, match="starts at line 7 .* line 8 inside it looks like a whole row"):
        list(iter_table(labelled, chunk_rows=1))
    # The swallowed row's label occurs only in another chunk than the merged row's.
    (tmp_path / "mixed.csv").write_text('id,text,label\n0,a story,0\n1,"opens a quote,1\n2,b story,0\n3,c story",1\n')
    with pytest.raises(DataError, match="line 4 inside it looks like a whole row"):
        list(iter_table(tmp_path / "mixed.csv", chunk_rows=1))
    # Lines of a list, or a decimal comma before a digit that could be a label, are not rows.
    fine = pd.DataFrame({"title": ["t1", "t2"], "text": ["The board:\nJohn Smith, chief\nJane Doe, finance",
                                                         "Wachstum\nlag bei 2,1"], "label": ["real", "fake"]})
    fine.to_csv(tmp_path / "fine.csv", index=False)
    fine.drop(columns="label").to_csv(tmp_path / "unlabelled.csv", index=False)
    for name in ("fine.csv", "unlabelled.csv"):
        assert sum(len(c.frame) for c in iter_table(tmp_path / name, chunk_rows=1)) == 2


def test_empty_values_of_a_one_column_file_are_counted_as_skipped(tmp_path):
    path = tmp_path / "onecol.csv"
    path.write_text('text\nplain one\n""\n   \nhoax two\n\t\n\n')
    invoke("evaluate", "--model", "fake:hoax", "--data", f"{path}:fake", "--out", tmp_path / "o")
    result = json.loads((tmp_path / "o" / "results.json").read_text())
    [evaluation] = result["evaluations"]
    assert evaluation["n"] == 2 and evaluation["skipped"] == {"empty_text": 3}


def test_a_body_only_model_reads_bodies_and_says_where_its_split_is_read_from(tmp_path, corpus, monkeypatch):
    """A model trained on --text-cols text is evaluated on the body too, so its training rows are
    caught as leaked; a relative training path is read from the folder training ran in."""
    monkeypatch.chdir(tmp_path)
    corpus.assign(title=[f"headline {i}" for i in range(len(corpus))]).to_csv("train.csv", index=False)
    invoke("train", "--recipe", "tfidf-lr", "--data", "train.csv", "--text-cols", "text", "--out", "m")
    invoke("evaluate", "--model", "m", "--allow-pickle", "--data", "train.csv", "--out", "o")
    [evaluation] = json.loads(Path("o/results.json").read_text())["evaluations"]
    assert evaluation["files"][0]["text_columns"] == ["text"]
    assert evaluation["skipped"]["in_training_data"] > 0.7 * len(corpus)
    pd.DataFrame({"content": corpus["text"], "label": corpus["label"]}).to_csv("other.csv", index=False)
    invoke("evaluate", "--model", "m", "--allow-pickle", "--data", "other.csv", "--out", "o2")  # no 'text' column
    [other] = json.loads(Path("o2/results.json").read_text())["evaluations"]
    assert other["files"][0]["text_columns"] == ["content"]
    Path("c.jsonl").write_text("".join(json.dumps({"content": t}) + "\n" for t in corpus["text"][:5]))
    predicted = invoke("predict", "--model", "m", "--allow-pickle", "--data", "c.jsonl", "--out", "p.parquet")
    assert predicted.exit_code == 0, predicted.output
    assert pd.read_parquet("p.parquet")["prob_fake"].notna().sum() == 5
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    message = one_line_error(invoke("evaluate", "--model", tmp_path / "m", "--allow-pickle", "--heldout",
                                    "--out", "h"))
    assert "train.csv (recorded in model.json) is missing" in message and "run from there" in message


def test_a_file_label_over_a_label_column_that_disagrees_says_so(tmp_path):
    from newsbench.data import DataSpec, load_dataset

    (tmp_path / "w.csv").write_text("text,label\nplain one,0\nhoax two,1\nhoax three,1\n")
    [source] = load_dataset([DataSpec.parse(f"{tmp_path / 'w.csv'}:fake")]).files
    assert source.label_source == ("file label: fake (over column 'label', which reads 1 of 3 rows as real; "
                                   "drop :fake to use it)")
    (tmp_path / "all.csv").write_text("text,label\nhoax two,1\n")
    [agreeing] = load_dataset([DataSpec.parse(f"{tmp_path / 'all.csv'}:fake")]).files
    assert agreeing.label_source == "file label: fake"


def test_two_files_of_one_name_give_unique_ids(tmp_path):
    from newsbench.data import DataSpec, load_datasets

    for folder in ("d1", "d2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "news.csv").write_text(f"text,label\n{folder} one,0\n{folder} two,1\n")
    datasets = load_datasets([DataSpec.parse(str(tmp_path / f / "news.csv")) for f in ("d1", "d2")])
    assert [d.name for d in datasets] == ["news", "news_2"]
    assert [d.rows["id"].tolist() for d in datasets] == [["news:0", "news:1"], ["news_2:0", "news_2:1"]]


def test_parquet_indexes_and_binary_strings_are_read_as_columns_of_text(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsbench.data import DataSpec, load_dataset
    from newsbench.errors import DataError
    from newsbench.tables import iter_table, read_table

    frame = pd.DataFrame({"text": ["a hoax", "plain b", "plain c"], "label": [1, 0, 0]})
    frame.set_index("text").to_parquet(tmp_path / "by_text.parquet")  # pandas keeps it as an index
    frame.set_index(pd.Index(["x", "y", "z"], name="id")).to_parquet(tmp_path / "by_id.parquet")
    assert load_dataset([DataSpec.parse(str(tmp_path / "by_text.parquet"))]).texts == ["a hoax", "plain b", "plain c"]
    by_id = load_dataset([DataSpec.parse(str(tmp_path / "by_id.parquet"))])
    assert by_id.rows["id"].tolist() == ["by_id:x", "by_id:y", "by_id:z"]
    assert [len(c.frame) for c in iter_table(tmp_path / "by_id.parquet", chunk_rows=2)] == [2, 1]
    ids = pd.DataFrame({"text": ["a", "b", "c"], "label": [1, 0, 0],
                        "tweet": pd.array([1234567890123456789, None, 1234567890123456788], dtype="Int64")})
    ids.to_parquet(tmp_path / "ids.parquet")
    assert read_table(tmp_path / "ids.parquet")[0]["tweet"].tolist() == ["1234567890123456789", "",
                                                                         "1234567890123456788"]
    assert next(iter_table(tmp_path / "ids.parquet")).frame["tweet"].tolist()[0] == "1234567890123456789"
    pq.write_table(pa.table({"text": pa.array(["It\u2019s a hoax".encode(), b"plain y"], pa.binary()),
                             "label": [1, 0]}), tmp_path / "binary.parquet")
    assert read_table(tmp_path / "binary.parquet")[0]["text"].tolist() == ["It\u2019s a hoax", "plain y"]
    pq.write_table(pa.table({"text": pa.array([b"\xff\xfe", b"ok"], pa.binary()), "label": [1, 0]}),
                   tmp_path / "latin.parquet")
    with pytest.raises(DataError, match="not UTF-8 text"):
        read_table(tmp_path / "latin.parquet")
    pq.write_table(pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"]), pa.array(["1"])],
                                        names=["text", "text", "label"]), tmp_path / "twice.parquet")
    with pytest.raises(DataError, match="more than once"):
        load_dataset([DataSpec.parse(str(tmp_path / "twice.parquet"))])


def test_one_article_in_another_unicode_form_is_one_article(tmp_path, monkeypatch):
    import unicodedata

    from newsbench.data import _compose, fingerprints, seen_in

    text = "Le ministère révèle la décision du préfet"
    forms = [text, unicodedata.normalize("NFD", text), text.replace(" ", " \u200b"), text.upper()]
    assert len(set(fingerprints(forms).tolist())) == 1
    # A model that saved fingerprints of the older form (case and spaces only) still finds its texts.
    import hashlib
    older = int.from_bytes(hashlib.blake2b(" ".join(forms[2].lower().split()).encode(), digest_size=8).digest(),
                           "little")
    assert seen_in([forms[2], "another article"], np.array([older], dtype=np.uint64)).tolist() == [True, False]
    assert _compose(["Trump", "Trumpet sales rose"]) == "Trump Trumpet sales rose"
    assert _compose(["Hoax", "Hoax: the claim"]) == "Hoax: the claim"


def test_text_emptied_by_artefact_stripping_is_skipped_with_that_reason(tmp_path):
    from newsbench.data import DataSpec, load_dataset
    from newsbench.options import LoadOptions

    (tmp_path / "u.csv").write_text('title,text,label\n,https://a.com/x https://b.org/y,1\n,,0\n,plain words,0\n')
    dataset = load_dataset([DataSpec.parse(str(tmp_path / "u.csv"))], LoadOptions(strip_artifacts=True))
    assert dataset.skipped["detail"].tolist() == ["nothing left once datelines and artefacts are removed",
                                                  "columns title+text are empty"]


def test_explain_refuses_an_article_the_models_preprocessing_empties(tmp_path, corpus_csv):
    invoke("train", "--recipe", "tfidf-lr", "--data", corpus_csv, "--strip-artifacts", "--out", tmp_path / "m")
    message = one_line_error(invoke("explain", "--model", tmp_path / "m", "--allow-pickle",
                                    "--text", "https://example.com/only-a-url"))
    assert "article 1 has no text to score once the model's preprocessing removes" in message


@pytest.mark.parametrize("content, message", [
    (__import__("gzip").compress(b"text,label\nhoax,1\n"), "is gzip-compressed"),
    ("text,label\nhoax,1\n".encode("utf-16"), "pass --encoding utf-16"),
    ("text,label\nhoax,1\nplain,0\n".encode("utf-16-le"), "pass --encoding utf-16-le"),
    (b"text;label\nhoax;1\n", "looks ';'-separated"),
])
def test_files_in_another_format_name_it(tmp_path, content, message):
    from newsbench.data import DataSpec, load_dataset
    from newsbench.errors import DataError
    from newsbench.tables import iter_table

    path = tmp_path / "news.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_dataset([DataSpec.parse(str(path))])
    if "separated" not in message:  # predict reads a chunk at a time
        with pytest.raises(DataError, match=message):
            list(iter_table(path))


def test_a_word_model_on_text_without_spaces_says_what_it_cannot_read(tmp_path, corpus_csv):
    invoke("train", "--recipe", "tfidf-lr", "--data", corpus_csv, "--out", tmp_path / "m")
    zh = ["国务院发布经济报告，财政部公布预算数据，专家表示经济形势稳定。",
          "网传某地出现神秘现象，官方辟谣称系谣言，请勿轻信转发。"]
    texts = [zh[i % 2] * 4 + f" {i}" for i in range(10)]  # a space only before the row number
    pd.DataFrame({"text": texts, "label": [i % 2 for i in range(10)]}).to_csv(tmp_path / "zh.csv", index=False)
    for data, expected in ((tmp_path / "zh.csv", True), (corpus_csv, False)):
        out = tmp_path / f"o-{expected}"
        invoke("evaluate", "--model", tmp_path / "m", "--allow-pickle", "--data", data, "--out", out)
        [evaluation] = json.loads((out / "results.json").read_text())["evaluations"]
        assert any("almost no spaces between words" in n for n in evaluation["notes"]) == expected
