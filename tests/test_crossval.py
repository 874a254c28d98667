"""newsbench crossval: seed-aware linking of one article's rows, the protocol's cells, the
artefact catalogue, and the report in a browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import FAKE_WORDS, REAL_WORDS, make_corpus
from typer.testing import CliRunner

from newsbench.artifacts import artifact_rates, strip_artifacts
from newsbench.cli import app
from newsbench.config import EvalConfig, TrainConfig
from newsbench.data import load_dataset
from newsbench.errors import ConfigError, DataError
from newsbench.evaluation import evaluate
from newsbench.generalisation import crossval
from newsbench.generalisation.audit import run_audit
from newsbench.generalisation.config import AuditConfig, CrossvalConfig
from newsbench.generalisation.overlap import article_ids
from newsbench.generalisation.protocol import load_crossval_data
from newsbench.reporting.crossval import crossval_blocks
from newsbench.sources import DataSpec
from newsbench.training import train
from newsbench.training.recipes import source_weights


def rewrite(text: str, k: int) -> str:
    """Every k-th word replaced: with k = 3 no word 8-gram survives."""
    words = text.split()
    return " ".join("edited" if i % k == 0 else w for i, w in enumerate(words))


@pytest.fixture
def seeded(tmp_path):
    """Three sets; 'rewrites' holds 30 rows that are one article with a 'human' row: 10 share its
    news_id, 10 are near-copies of its text, 10 carry it as seed_text."""
    human = make_corpus(120, 0)
    human["text"] = human["text"] + " " + human["title"] + " and the long closing line of this human article"
    human["news_id"] = [f"politifact{i}" for i in range(len(human))]
    other = make_corpus(90, 1)
    other["text"] = other["text"].str.replace("number", "item")  # no row of it is any human row
    other["news_id"] = [f"gossip{i}" for i in range(len(other))]
    other["seed_text"] = ""
    other.loc[0:9, "news_id"] = human.loc[0:9, "news_id"].to_numpy()
    other.loc[10:29, "news_id"] = ""  # rewrites that carry no id of their own, as f3's do
    other.loc[10:19, "text"] = [t + " plus a short tail" for t in human.loc[10:19, "text"]]
    other.loc[20:29, "seed_text"] = human.loc[20:29, "text"].to_numpy()
    third = make_corpus(80, 2)
    third["text"] = third["text"] + " third"
    third["label"] = 1 - third["label"]  # the same cue words mean the opposite here: a domain shift
    human.to_csv(tmp_path / "human.csv", index=False)
    other.to_csv(tmp_path / "rewrites.csv", index=False)
    third.to_csv(tmp_path / "third.csv", index=False)
    return tmp_path


def config(folder, **kw) -> CrossvalConfig:
    defaults = dict(data=[str(folder / f) for f in ("human.csv", "rewrites.csv", "third.csv")], n_bootstrap=0)
    return CrossvalConfig(**{**defaults, **kw})


def test_rows_of_one_article_share_an_id_across_datasets(seeded):
    datasets = load_crossval_data(config(seeded))
    [human, rewrites, third], links = article_ids(datasets, ["news_id", "seed_text"], 0.5)
    linked = np.isin(rewrites, human)
    assert linked[:30].all() and not linked[30:].any()  # by id, by near-copy, by seed text; nothing else
    assert not np.isin(third, np.concatenate([human, rewrites])).any()
    assert links.seed_id == 10 and links.near_duplicate == 20
    # Heavier edits (every 3rd word) leave too few 8-grams: not the same article by text.
    datasets[1].rows.loc[10:19, "text"] = [rewrite(t, 3) for t in datasets[0].rows.loc[10:19, "text"]]
    [human, rewrites, _], _ = article_ids(datasets, ["news_id", "seed_text"], 0.5)
    assert not np.isin(rewrites[10:20], human).any()
    [human, rewrites, _], links = article_ids(datasets, [], 0.0)  # no seed columns, exact text only
    assert not np.isin(rewrites, human).any() and links.near_duplicate == 0
    # Text is weaker evidence than an id: near copies that carry another article's id are not linked
    # (a site's cookie notice scraped in place of many articles), unless a seed id links them.
    datasets = load_crossval_data(config(seeded))
    datasets[1].rows.loc[10:19, "news_id"] = [f"gossip-other{i}" for i in range(10)]
    [human, rewrites, _], links = article_ids(datasets, ["news_id", "seed_text"], 0.5)
    assert not np.isin(rewrites[10:20], human).any() and np.isin(rewrites[20:30], human).all()
    assert links.near_duplicate == 10


def test_left_out_cells_never_train_on_the_test_sets_articles(seeded):
    result = crossval(config(seeded, protocol="both"))
    [lr] = result.recipes
    cells = {(c.kind, tuple(c.train), c.test): c for c in lr.cells}
    assert len(lr.cells) == 3 + 9  # three left out, a 3 x 3 matrix
    # Leaving out 'rewrites' removes the 30 human rows it rewrote from training, and vice versa.
    assert cells["left-out", ("human", "third"), "rewrites"].removed == 30
    assert cells["left-out", ("rewrites", "third"), "human"].removed == 30
    assert cells["left-out", ("human", "rewrites"), "third"].removed == 0
    assert cells["transfer", ("human",), "rewrites"].removed == 30
    cell = cells["left-out", ("human", "third"), "rewrites"]
    assert cell.n == 90 and cell.n_real + cell.n_fake == 90
    # Trained rows + validation rows are the pool without the removed rows.
    assert 0.75 * (120 + 80 - 30) < cell.n_train < 0.95 * (120 + 80 - 30)
    # The third set's cues mean the opposite: models that never saw it fail there, not in-domain.
    assert cells["in-domain", ("third",), "third"].roc_auc.value > 0.9
    assert cells["transfer", ("human",), "third"].roc_auc.value < 0.2
    assert lr.lodo_mean_auc == pytest.approx(np.mean([c.roc_auc.value for c in lr.cells if c.kind == "left-out"]))
    assert lr.lodo_worst_auc == min(c.roc_auc.value for c in lr.cells if c.kind == "left-out")


def test_augment_data_trains_every_fold_is_never_scored_and_keeps_test_articles_out(seeded):
    third = pd.read_csv(seeded / "third.csv")
    fresh = make_corpus(40, 5)
    fresh["text"] = fresh["text"] + " restyled"
    fresh["label"] = 1 - fresh["label"]  # restyled copies that keep the labels the shifted set uses
    pd.concat([third.iloc[:20], fresh], ignore_index=True).to_csv(seeded / "aug.csv", index=False)
    plain = crossval(config(seeded, protocol="both"))
    result = crossval(config(seeded, protocol="both", augment=[str(seeded / "aug.csv")]))
    [lr], [lr0] = result.recipes, plain.recipes
    cells = {(c.kind, tuple(c.train), c.test): c for c in lr.cells}
    assert len(lr.cells) == 3 + 9 and all(c.test != "aug" for c in lr.cells)
    assert [d.name for d in result.datasets] == ["human", "rewrites", "third"]
    # The 20 augmenting rows that are the third set's own articles never train a model tested on it.
    assert cells["left-out", ("human", "rewrites", "aug"), "third"].removed == 20
    assert cells["in-domain", ("third", "aug"), "third"].removed > 0  # those of its held-out part
    assert cells["in-domain", ("human", "aug"), "human"].removed == 0
    before = {(c.kind, c.train[0], c.test): c.roc_auc.value for c in lr0.cells if c.kind == "transfer"}
    assert cells["transfer", ("human", "aug"), "third"].roc_auc.value > before["transfer", "human", "third"] + 0.1
    assert any("--augment" in note for note in result.notes)
    with pytest.raises(ConfigError, match="--augment-where filters --augment data"):
        config(seeded, augment_where=["setting=x"])


def test_source_balanced_weights_give_each_set_and_class_the_same_weight():
    source = np.array([0] * 90 + [1] * 10 + [2] * 30)
    y = np.array([0] * 60 + [1] * 30 + [0] * 5 + [1] * 5 + [0] * 30)  # set 2 has real rows only
    w = source_weights(source, y, "sources")
    assert w.mean() == pytest.approx(1.0)
    totals = {s: w[source == s].sum() for s in range(3)}
    assert totals[0] == pytest.approx(totals[1]) == pytest.approx(totals[2])
    assert w[(source == 0) & (y == 0)].sum() == pytest.approx(w[(source == 0) & (y == 1)].sum())
    classes = source_weights(source, y, "classes")
    assert classes[y == 0].sum() == pytest.approx(classes[y == 1].sum())
    assert source_weights(source, y, "none") is None


def test_crossval_settings_and_inputs_are_checked(seeded):
    with pytest.raises(ConfigError, match="at least 2 datasets"):
        CrossvalConfig(data=[str(seeded / "human.csv")])
    with pytest.raises(ConfigError, match="did you mean 'tfidf-lr'"):
        config(seeded, recipes=["tfidf-lrr"])
    with pytest.raises(ConfigError, match="protocol"):
        config(seeded, protocol="kfold")
    with pytest.raises(DataError, match="no dataset has a column 'setting'"):
        load_crossval_data(config(seeded, where=["setting=adv_A"]))
    with pytest.raises(DataError, match="human: 0 rows left .* its most common source values: wire, blog"):
        load_crossval_data(config(seeded, where=["source=wires"]))
    with pytest.raises(ConfigError, match="--augment-where 'setting': expected COL=VALUE"):
        config(seeded, augment=[str(seeded / "third.csv")], augment_where=["setting"])
    # --where applies to the datasets that have the column: here all three have 'source'.
    datasets = load_crossval_data(config(seeded, where=["source=wire"]))
    assert all((d.rows["source"] == "wire").all() for d in datasets)
    assert datasets[0].skipped_counts()["filtered_out"] == 40
    # A one-class dataset is a test set only, and the report says so.
    make_corpus(40, 3).assign(label=0).to_csv(seeded / "real_only.csv", index=False)
    result = crossval(config(seeded, data=[str(seeded / "human.csv"), str(seeded / "third.csv"),
                                           str(seeded / "real_only.csv")], protocol="lodo"))
    assert [c.test for c in result.recipes[0].cells] == ["human", "third", "real_only"]
    assert all("real_only" not in c.train for c in result.recipes[0].cells)
    assert "real_only has fewer than 5 rows of one class" in result.notes[0]


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by .ci/run)")
def test_crossval_command_writes_a_report_that_renders(seeded):
    out = seeded / "cv"
    result = CliRunner().invoke(app, ["crossval", "--data", str(seeded / "human.csv"), "--data",
                                      str(seeded / "rewrites.csv"), "--data", str(seeded / "third.csv"),
                                      "--bootstrap", "100", "--out", str(out)])
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "crossval.json").read_text())
    assert saved["kind"] == "crossval" and len(saved["recipes"][0]["cells"]) == 12
    assert saved["recipes"][0]["cells"][0]["roc_auc"]["ci95"] is not None
    assert "Left out of training" in result.output
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={seeded / 'chrome'}"]
    dom = subprocess.run(["chromium", *flags, "--dump-dom", (out / "report.html").as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    for text in ("newsbench crossval", "Each dataset left out", "Transfer matrix", "Datasets"):
        assert text in dom, text
    assert dom.count('src="data:image/png;base64,') == 1
    # The same folder is an earlier crossval output: a rerun replaces it; a data folder is refused.
    assert CliRunner().invoke(app, ["crossval", "--data", str(seeded / "human.csv"), "--data",
                                    str(seeded / "third.csv"), "--bootstrap", "0", "--out", str(out)]).exit_code == 0
    refused = CliRunner().invoke(app, ["crossval", "--data", str(seeded / "human.csv"), "--data",
                                       str(seeded / "third.csv"), "--out", str(seeded)])
    assert refused.exit_code == 2 and "will not write over it" in refused.output


ARTICLE = ("WASHINGTON (Reuters) - The senate passed the budget on Tuesday. (Reporting by Jane Doe; Editing by "
           "Tom Roe)\nFeatured image via Getty Images. Read more: https://example.com/story @newsdesk")


def test_strip_artifacts_removes_the_catalogue_and_keeps_the_article():
    clean = strip_artifacts(ARTICLE)
    assert "The senate passed the budget on Tuesday." in clean
    for gone in ("Reuters", "Reporting by", "Featured image", "Getty", "https://", "@newsdesk", "Read more"):
        assert gone not in clean, gone
    llm = "Title: Senate Passes Budget\n\nDate: [Insert Date]\n\nThe senate passed the budget."
    assert strip_artifacts(llm) == "The senate passed the budget."
    assert strip_artifacts("Sure, here is a news article:\nThe senate met.") == "The senate met."
    assert strip_artifacts("Contact: press@agency.org about the vote.") == "Contact: press@agency.org about the vote."
    # Articles stored on one line: a label takes its value up to a run of spaces, never the body.
    body = "The senate passed the budget on Tuesday after a long debate. " * 8
    assert strip_artifacts("Title: Senate Passes Budget  " + body) == body.strip()
    assert strip_artifacts("A story.  Read more: Senate news  " + body) == "A story. " + body.strip()
    assert strip_artifacts("Via: Gateway Pundit" + body) == "Gateway Pundit" + body.strip()  # no end: label only
    assert strip_artifacts("Sure, the vote was close.") == "Sure, the vote was close."  # not a chat preamble
    rates = artifact_rates([ARTICLE, "plain text", llm, "plain again"], np.array([0, 0, 1, 1]))
    assert rates["dateline"] == (0.5, 0.0) and rates["title_line"] == (0.0, 0.5)


def test_a_model_trained_without_artifacts_is_evaluated_without_them(tmp_path):
    corpus = make_corpus(120, 0)
    corpus.loc[corpus.label == 0, "text"] = "WASHINGTON (Reuters) - " + corpus.loc[corpus.label == 0, "text"]
    corpus.loc[corpus.label == 1, "text"] = corpus.loc[corpus.label == 1, "text"] + " Featured image via Flickr"
    corpus.to_csv(tmp_path / "train.csv", index=False)
    [plain] = [load_dataset([DataSpec.parse(str(tmp_path / "train.csv"))])]
    assert plain.rows["text"].str.contains("Reuters").sum() == 60
    card = train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "m", strip_artifacts=True))
    assert card.preprocessing.strip_artifacts
    config = EvalConfig(model=str(tmp_path / "m"), data=[str(tmp_path / "train.csv")], allow_pickle=True,
                        n_bootstrap=0, keep_leaked=True)
    assert config.load_options(card.preprocessing).strip_artifacts  # as trained, unless told otherwise
    assert not EvalConfig(model="m", data=["x"], strip_artifacts=False).load_options(card.preprocessing).strip_artifacts
    assert evaluate(config).result.evaluations[0].n == 120
    import joblib

    terms = joblib.load(tmp_path / "m" / "model.joblib").named_steps["tfidf"].vocabulary_
    assert not {"reuters", "featured", "flickr", "washington"} & set(terms)
    assert "senate" in terms or "budget" in terms


def planted(n: int, seed: int) -> pd.DataFrame:
    """Articles whose words say nothing about the label; only a source artefact does."""
    rng = np.random.default_rng(seed)
    corpus = make_corpus(n, seed)
    corpus["text"] = [" ".join(rng.choice(REAL_WORDS + FAKE_WORDS, int(rng.integers(10, 40)))) + f" number {i}"
                      for i in range(n)]
    real = corpus.label == 0
    corpus.loc[real, "text"] = "LONDON (Reuters) - " + corpus.loc[real, "text"]
    corpus.loc[~real, "text"] = corpus.loc[~real, "text"] + " Featured image via Flickr"
    return corpus


def test_the_audit_catches_a_planted_shortcut_and_not_a_real_signal(tmp_path):
    planted(300, 0).to_csv(tmp_path / "planted.csv", index=False)
    make_corpus(300, 0).to_csv(tmp_path / "honest.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "planted.csv")], out=tmp_path / "m"))
    result = run_audit(AuditConfig(model=str(tmp_path / "m"), allow_pickle=True, n_bootstrap=0))
    probes = {p.name: p for p in result.probes}
    assert result.reference_auc > 0.95 and result.n_test == 30
    assert probes["artefacts"].flagged and probes["first-20-words"].flagged
    assert not probes["length"].flagged  # lengths vary: the artefacts add too little to give it away
    # Without the artefacts the model has nothing left: its decisions flip and its AUC falls to chance.
    assert result.flips.n_with_artifacts == 30 and result.flips.flipped >= 10 and result.flips.auc_stripped < 0.75
    rates = {a.name: a for a in result.artifacts}
    assert rates["dateline"].real_share == 1.0 and rates["image_credit"].fake_share == 1.0
    honest = run_audit(AuditConfig(data=[str(tmp_path / "honest.csv")], n_bootstrap=0))
    probes = {p.name: p for p in honest.probes}
    assert honest.reference == "the full-text TF-IDF probe" and honest.reference_auc > 0.9
    assert not probes["length"].flagged and honest.flips is None
    # No article carries an artefact: that probe would learn nothing, and is said to be left out.
    assert "artefacts" not in probes and any("no training article carries" in n for n in honest.notes)
    result = CliRunner().invoke(app, ["audit", "--model", str(tmp_path / "m"), "--allow-pickle", "--bootstrap", "0",
                                      "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "artefacts" in result.output and "shortcut" in result.output
    assert json.loads((tmp_path / "a" / "audit.json").read_text())["kind"] == "audit"
    assert "Without artefacts" in (tmp_path / "a" / "report.md").read_text()
    page = (tmp_path / "a" / "report.html").read_text()
    assert "<script" not in page and "newsbench audit" in page and "shortcut" in page
    refused = CliRunner().invoke(app, ["audit", "--model", "fake", "--out", str(tmp_path / "b")])
    assert refused.exit_code == 2 and "--data" in refused.output


def test_a_recipe_that_strips_artifacts_is_crossvalidated_on_stripped_texts(tmp_path):
    for i in range(2):
        planted(200, i).to_csv(tmp_path / f"p{i}.csv", index=False)
    result = crossval(CrossvalConfig(data=[str(tmp_path / "p0.csv"), str(tmp_path / "p1.csv")],
                                     recipes=["tfidf-lr", "tfidf-lr+strip", "robust"], protocol="lodo",
                                     n_bootstrap=0))
    raw, stripped, robust = result.recipes
    assert not raw.strip_artifacts and stripped.strip_artifacts and robust.strip_artifacts
    assert raw.lodo_mean_auc > 0.95  # the artefacts give every label away
    assert stripped.lodo_mean_auc < 0.75 and robust.lodo_mean_auc < 0.75  # without them the words say nothing


def testgrouped_parts_keep_articles_whole_and_labels_in_proportion():
    from newsbench.generalisation.protocol import grouped_part

    rng = np.random.default_rng(0)
    groups = rng.integers(0, 400, 2000)
    y = (groups % 3 == 0).astype(int)  # a third of the articles are fake; an article has one label
    held = grouped_part(y, groups, 0.2, seed=1)
    assert not set(groups[held]) & set(groups[~held])
    assert 0.17 < held.mean() < 0.23
    assert abs(y[held].mean() - y.mean()) < 0.05
    assert (held == grouped_part(y, groups, 0.2, seed=1)).all() and (held != grouped_part(y, groups, 0.2, 2)).any()


def test_robust_drops_a_training_set_whose_labels_it_cannot_learn_and_says_so(tmp_path):
    files = []
    for i, name in enumerate(("wire", "blog", "paper", "noise")):
        rows = make_corpus(300, i)
        rows["text"] = rows["text"] + f" {name}"
        if name == "noise":  # labels unrelated to the text: nothing to learn, only noise to add
            rows["label"] = np.random.default_rng(i).permutation(rows["label"].to_numpy())
        rows.to_csv(tmp_path / f"{name}.csv", index=False)
        files.append(str(tmp_path / f"{name}.csv"))
    result = crossval(CrossvalConfig(data=files, recipes=["tfidf-lr", "robust"], protocol="lodo", n_bootstrap=0))
    plain, robust = ({c.test: c for c in r.cells} for r in result.recipes)
    assert all(c.dropped == [] for c in plain.values())
    assert [robust[name].dropped for name in ("wire", "blog", "paper", "noise")] == [["noise"]] * 3 + [[]]
    assert robust["wire"].n_train < plain["wire"].n_train - 200  # the noise rows were not fitted
    assert robust["noise"].n_train == plain["noise"].n_train
    blocks, _ = crossval_blocks(result)
    [note] = [b.text for b in blocks if b.kind == "note" and "not learned from" in b.text]
    assert "noise when testing on wire (left-out), blog (left-out), paper (left-out)" in note


def test_restylings_paired_by_position_are_one_article(tmp_path):
    """SheepDog's restylings of one article share no words' 8-grams, only their place in the files:
    the same row_idx of one split of one origin dataset."""
    restyled = make_corpus(40, 0).assign(origin_dataset="politifact", split="test", row_idx=range(40))
    attacked = make_corpus(40, 1).assign(origin_dataset="politifact", split="test", row_idx=range(40))
    attacked.loc[30:, "split"] = "train"  # the same positions of another split: other articles
    restyled.to_csv(tmp_path / "adv_a.csv", index=False)
    attacked.to_csv(tmp_path / "adv_b.csv", index=False)
    cv = config(tmp_path, data=[str(tmp_path / "adv_a.csv"), str(tmp_path / "adv_b.csv")])
    assert "origin_dataset+split+row_idx" in cv.group_cols
    datasets = load_crossval_data(cv)
    [a, b], links = article_ids(datasets, cv.group_cols, cv.near_duplicate)
    assert (a[:30] == b[:30]).all() and not np.isin(b[30:], a).any()
    assert links.seed_id == 30 and links.near_duplicate == 0
    [a, b], _ = article_ids(datasets, ["news_id", "seed_text", "origin_dataset+split"], 0.5)  # a coarser key
    assert len(set(a) | set(b)) == 2


def test_articles_are_linked_through_rows_that_where_and_sampling_leave_out(tmp_path):
    """SheepDog's restylings share nothing with the FakeNewsNet copy of their article; only the human
    original, which --where setting=restyled filters out, carries both the text and the position."""
    news = make_corpus(60, 0)
    news["text"] = news["text"] + " " + news["title"] + " and the long closing line of this human article"
    original = news.iloc[:20].assign(setting="original")
    restyled = make_corpus(20, 1).assign(setting="restyled")
    restyled["text"] = restyled["text"] + " restyled"
    restyled["label"] = original["label"].to_numpy()
    sheep = pd.concat([original, restyled], ignore_index=True).assign(
        origin_dataset="politifact", split="train", row_idx=list(range(20)) * 2)
    third = make_corpus(60, 2)
    third["text"] = third["text"] + " third"
    news.to_csv(tmp_path / "news.csv", index=False)
    sheep.to_csv(tmp_path / "sheep.csv", index=False)
    third.to_csv(tmp_path / "third.csv", index=False)
    cv = CrossvalConfig(data=[str(tmp_path / f) for f in ("news.csv", "sheep.csv", "third.csv")],
                        where=["setting=restyled"], protocol="lodo", n_bootstrap=0)
    cells = {c.test: c for c in crossval(cv).recipes[0].cells}
    assert len(load_crossval_data(cv)[1].rows) == 20  # the originals are filtered out ...
    assert cells["news"].removed == 20  # ... yet their restylings never train a model tested on news
    assert cells["sheep"].removed == 20
    assert cells["third"].removed == 0
    # The same through sampling: a restyling whose original is not in the sample is still linked.
    cv = replace(cv, where=[], max_rows=30)
    cells = {c.test: c for c in crossval(cv).recipes[0].cells}
    kept_news, kept_sheep, _ = load_crossval_data(cv)
    sampled_originals = set(kept_sheep.rows.loc[kept_sheep.rows["setting"] == "original", "row_idx"])
    restyled = kept_sheep.rows[kept_sheep.rows["setting"] == "restyled"]
    assert not set(restyled["row_idx"]) <= sampled_originals  # the case the sample creates
    every_news = load_crossval_data(replace(cv, max_rows=0))[0].rows["text"]
    tested = np.flatnonzero(every_news.isin(kept_news.rows["text"]))  # positions of the sampled news rows
    assert cells["news"].removed == kept_sheep.rows["row_idx"].astype(int).isin(tested).sum()


def test_a_cell_left_without_a_class_to_train_on_or_to_score_is_reported_not_crashed(seeded):
    # A dataset that is a copy of another: every training row of a -> copy is the test set's article.
    shutil.copy(seeded / "human.csv", seeded / "copy.csv")
    small = make_corpus(12, 4)
    small["text"] = small["text"] + " small"
    small.to_csv(seeded / "small.csv", index=False)
    sets = [str(seeded / f) for f in ("human.csv", "copy.csv", "third.csv", "small.csv")]
    result = crossval(config(seeded, data=sets, protocol="matrix", recipes=["tfidf-lr", "robust"]))
    for recipe in result.recipes:
        cells = {(c.train[0], c.test): c for c in recipe.cells}
        copied = cells["human", "copy"]
        assert copied.unscored.startswith("0 real and 0 fake rows left to train on after removing 120")
        assert copied.roc_auc.value != copied.roc_auc.value and copied.n == 120 and copied.removed == 120
        # 6 real and 6 fake rows: trainable, but a held-out 20% of 1-2 per class is no score.
        assert "the held-out 20% has" in cells["small", "small"].unscored
        assert cells["small", "human"].roc_auc.value > 0.5 and not cells["small", "human"].unscored
        assert cells["third", "human"].roc_auc.value == cells["third", "human"].roc_auc.value
        assert {c.test for c in recipe.cells if c.unscored} == {"copy", "human", "small"}
    blocks, _ = crossval_blocks(result)
    notes = [b.text for b in blocks if b.kind == "note" and b.text.startswith("Cells not scored")]
    assert len(notes) == 2 and "human (transfer, tested on copy): 0 real and 0 fake rows" in notes[0]


def test_a_group_column_no_dataset_has_is_an_error_not_a_silent_no_op(seeded):
    with pytest.raises(DataError, match="--group-cols newsid: no dataset has a column 'newsid'.*mean 'news_id'"):
        crossval(config(seeded, group_cols=["newsid"]))
    with pytest.raises(DataError, match="'nosuch'"):
        crossval(config(seeded, group_cols=["news_id+nosuch"]))
    # The default keys may be absent: plain files have no seed columns.
    assert crossval(config(seeded, data=[str(seeded / "human.csv"), str(seeded / "third.csv")], protocol="lodo"))


def test_the_audit_refuses_too_few_articles_of_a_class_and_counts_what_it_set_aside(tmp_path):
    make_corpus(60, 0).assign(label=1).to_csv(tmp_path / "fake_only.csv", index=False)
    with pytest.raises(DataError, match=r"0 real and \d+ fake articles.*at least 5 of each class"):
        run_audit(AuditConfig(data=[str(tmp_path / "fake_only.csv")], n_bootstrap=0))
    corpus = make_corpus(100, 0).astype({"label": str})
    corpus.loc[0:2, "label"] = "maybe"
    corpus.loc[3:4, ["title", "text"]] = ""
    corpus.to_csv(tmp_path / "messy.csv", index=False)
    result = run_audit(AuditConfig(data=[str(tmp_path / "messy.csv")], n_bootstrap=0, max_rows=50))
    assert result.n_input == 100 and result.n_train + result.n_test + sum(result.set_aside.values()) == 100
    assert result.set_aside["bad_label"] == 3 and result.set_aside["empty_text"] == 2
    assert result.set_aside["not_sampled"] == 95 - result.n_train - result.n_test
    from newsbench.reporting.audit import render_audit

    assert "Rows read: 100; set aside: " in render_audit(result)["report.md"]


def test_a_class_held_in_one_article_goes_to_validation_and_the_cell_says_so(tmp_path):
    one = make_corpus(60, 0)
    one = pd.concat([one[one["label"] == 0], one[one["label"] == 1].head(6)], ignore_index=True)
    one["news_id"] = [f"r{i}" for i in range(len(one) - 6)] + ["seed"] * 6  # six rewrites of one fake article
    one.to_csv(tmp_path / "one.csv", index=False)
    make_corpus(80, 1).assign(text=lambda f: f["text"] + " other").to_csv(tmp_path / "other.csv", index=False)
    result = crossval(CrossvalConfig(data=[str(tmp_path / "one.csv"), str(tmp_path / "other.csv")], n_bootstrap=0,
                                     protocol="lodo", recipes=["tfidf-lr"]))
    cells = {c.test: c for c in result.recipes[0].cells}
    assert re.match(r"\d+ real and 0 fake rows left to fit on once the validation split", cells["other"].unscored)
    assert cells["one"].roc_auc.value == cells["one"].roc_auc.value and not cells["one"].unscored


def test_a_footer_on_half_of_a_small_set_does_not_make_one_article(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5000)]
    footer = " ".join(f"footer{i}" for i in range(42))
    texts = [" ".join(rng.choice(words, 20, replace=False)) for _ in range(60)]
    texts = [t + (" " + footer if i % 2 else "") for i, t in enumerate(texts)]
    texts[2] = texts[0] + " plus a short tail"  # a real near-copy still links
    pd.DataFrame({"text": texts, "label": [i % 2 for i in range(60)]}).to_csv(tmp_path / "f.csv", index=False)
    dataset = load_dataset([DataSpec.parse(str(tmp_path / "f.csv"))])
    [ids], _ = article_ids([dataset], [], 0.5)
    assert len(set(ids.tolist())) == 59 and ids[0] == ids[2]
