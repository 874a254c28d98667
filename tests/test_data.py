import json
import os

import numpy as np
import pandas as pd
import pytest

from newsbench.data import (
    DataSpec,
    fingerprints,
    load_dataset,
    load_datasets,
    strip_dateline,
)
from newsbench.errors import DataError
from newsbench.labels import parse_label
from newsbench.options import LoadOptions
from newsbench.sources import DATA_DIR_ENV


def write(path, text: str | bytes):
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def load(path, **options):
    return load_dataset([DataSpec.parse(str(path))], LoadOptions(**options))


@pytest.mark.parametrize("header, expected", [
    ("title,content,label", "Headline Body text"),
    ("title,text,label", "Headline Body text"),
    ("TITLE,TEXT,LABEL", "Headline Body text"),
])
def test_title_and_body_schemas(tmp_path, header, expected):
    ds = load(write(tmp_path / "a.csv", f"{header}\nHeadline,Body text,0\n"))
    assert ds.texts == [expected]


def test_text_only_and_content_only(tmp_path):
    assert load(write(tmp_path / "a.csv", "text,label\nBody,1\n")).texts == ["Body"]
    assert load(write(tmp_path / "b.csv", "content,label\nBody,1\n")).texts == ["Body"]


def test_title_repeated_in_body_is_not_doubled(tmp_path):
    ds = load(write(tmp_path / "a.csv", "title,text,label\nSame words,Same words and more,0\n"))
    assert ds.texts == ["Same words and more"]


def test_explicit_text_columns(tmp_path):
    path = write(tmp_path / "a.csv", "headline,body,y\nH,B,fake\n")
    ds = load(path, text_cols=("headline", "body"), label_col="y")
    assert ds.texts == ["H B"] and ds.labels.tolist() == [1]


@pytest.mark.parametrize("value, label", [
    ("0", 0), ("1", 1), ("1.0", 1), ("0.0", 0), ("real", 0), ("FAKE", 1), ("Fake", 1),
    ("true", 0), ("FALSE", 1), (" REAL ", 0), ("2", None), ("nan", None), ("", None), ("maybe", None),
])
def test_parse_label(value, label):
    assert parse_label(value) == label


def test_mixed_and_missing_labels_are_reported_not_dropped(tmp_path):
    csv = "text,label\na one,0\nb two,fake\nc three,TRUE\nd four,\ne five,NaN\nf six,2\ng seven,1.0\n"
    ds = load(write(tmp_path / "mixed.csv", csv))
    assert ds.labels.tolist() == [0, 1, 0, 1]
    assert ds.skipped_counts() == {"bad_label": 3}
    assert sorted(ds.skipped["id"]) == ["mixed:3", "mixed:4", "mixed:5"]
    assert "label='2'" in ds.skipped.set_index("id").loc["mixed:5", "detail"]
    assert len(ds) + len(ds.skipped) == ds.n_input == 7


def test_empty_texts_are_reported(tmp_path):
    ds = load(write(tmp_path / "e.csv", "title,text,label\n,,0\nT,,1\n,  ,0\n"))
    assert ds.texts == ["T"]
    assert ds.skipped_counts() == {"empty_text": 2}


def test_duplicates_and_label_conflicts(tmp_path):
    csv = "text,label\nSame  Story,0\nsame story,0\nClash,0\nclash ,1\nunique,1\n"
    ds = load(write(tmp_path / "d.csv", csv))
    assert ds.texts == ["Same  Story", "unique"]
    assert ds.skipped_counts() == {"duplicate": 1, "label_conflict": 2}
    assert ds.skipped.set_index("id").loc["d:1", "detail"] == "same text as d:0"


def test_file_level_labels_pool_into_one_dataset(tmp_path):
    real = write(tmp_path / "real.csv", "title,content\nA,one\nB,two\n")
    fake = write(tmp_path / "fake.csv", "text\nthree\n")
    [ds] = load_datasets([DataSpec.parse(f"{real}:real"), DataSpec.parse(f"{fake}:fake")])
    assert ds.name == "real+fake"
    assert ds.labels.tolist() == [0, 0, 1]
    assert ds.rows["input_file"].tolist() == ["real", "real", "fake"]
    assert ds.rows["id"].tolist() == ["real:0", "real:1", "fake:0"]


def test_named_specs_group_and_others_stay_apart(tmp_path):
    a = write(tmp_path / "a.csv", "text,label\nx,0\ny,1\n")
    b = write(tmp_path / "b.csv", "text,label\nz,0\nw,1\n")
    c = write(tmp_path / "c.csv", "text,label\nq,0\nr,1\n")
    datasets = load_datasets([DataSpec.parse(f"ext={a}"), DataSpec.parse(f"ext={b}"), DataSpec.parse(str(c))])
    assert [(d.name, len(d)) for d in datasets] == [("ext", 4), ("c", 2)]


def test_ids_come_from_a_unique_id_column(tmp_path):
    ds = load(write(tmp_path / "x.csv", "id,text,label\nn-7,a,0\nn-9,b,1\n"))
    assert ds.rows["id"].tolist() == ["x:n-7", "x:n-9"]
    ds = load(write(tmp_path / "y.csv", "id,text,label\n1,a,0\n1,b,1\n"))
    assert ds.rows["id"].tolist() == ["y:0", "y:1"] and ds.rows["id_orig"].tolist() == ["1", "1"]


def test_metadata_columns_are_kept(tmp_path):
    ds = load(write(tmp_path / "m.csv", "text,label,source,generator\na,0,wire,human\n"))
    assert ds.metadata_columns == ["source", "generator"]


def test_missing_text_column_error_names_file_columns_and_flag(tmp_path):
    path = write(tmp_path / "bad.csv", "headline,label\nH,0\n")
    with pytest.raises(DataError) as err:
        load(path)
    message = str(err.value)
    assert str(path) in message and "['headline', 'label']" in message and "--text-cols" in message


def test_missing_label_column_suggests_file_label(tmp_path):
    path = write(tmp_path / "nolabel.csv", "text\nhello\n")
    with pytest.raises(DataError, match=r"--label-col .*nolabel.csv:real"):
        load(path)


def test_unreadable_label_column_is_an_error(tmp_path):
    path = write(tmp_path / "liar.csv", "text,label\na,pants-fire\nb,half-true\n")
    with pytest.raises(DataError, match=r"no readable label.*pants-fire"):
        load(path)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(DataError, match="the file is empty"):
        load(write(tmp_path / "empty.csv", ""))
    with pytest.raises(DataError, match="header only"):
        load(write(tmp_path / "header.csv", "text,label\n"))


def test_non_utf8_bytes_name_the_line_and_the_fix(tmp_path):
    path = write(tmp_path / "latin.csv", b"text,label\nfine,0\ncaf\xe9 story,1\n")
    with pytest.raises(DataError) as err:
        load(path)
    assert "line 3" in str(err.value) and "0xe9" in str(err.value) and "--encoding" in str(err.value)
    assert load(path, encoding="cp1252").texts == ["fine", "café story"]


def test_utf8_bom_is_accepted(tmp_path):
    ds = load(write(tmp_path / "bom.csv", "\ufefftext,label\nhello,1\n".encode("utf-8")))
    assert ds.texts == ["hello"]


def test_five_megabyte_text(tmp_path):
    big = "word " * 1_000_000
    pd.DataFrame({"text": [big, "short"], "label": [1, 0]}).to_csv(tmp_path / "big.csv", index=False)
    ds = load(tmp_path / "big.csv")
    assert len(ds.texts[0]) == len(big.strip()) and ds.labels.tolist() == [1, 0]


def test_jsonl_tsv_and_parquet(tmp_path):
    lines = [{"title": "T", "text": "one", "label": "fake"}, {"text": "two", "label": 0}]
    jsonl = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")
    assert load(jsonl).texts == ["T one", "two"]
    tsv = write(tmp_path / "b.tsv", "text\tlabel\nx, with comma\t1\n")
    assert load(tsv).texts == ["x, with comma"]
    pd.DataFrame({"text": ["p", "q"], "label": [1.0, np.nan]}).to_parquet(tmp_path / "c.parquet")
    ds = load(tmp_path / "c.parquet")
    assert ds.texts == ["p"] and ds.skipped_counts() == {"bad_label": 1}


def test_list_valued_text_is_joined_whole_not_abridged(tmp_path):
    # numpy prints arrays over 1,000 items as "['w0' 'w1' ... 'w1499']": a list must be read whole.
    words = [f"w{i}" for i in range(1500)]
    pd.DataFrame({"text": [words, ["para one", "para two"]], "label": [0, 1],
                  "tags": [{"k": [1, 2]}, None]}).to_parquet(tmp_path / "lists.parquet")
    ds = load(tmp_path / "lists.parquet")
    assert ds.texts == ["\n".join(words), "para one\npara two"]
    assert ds.rows["tags"].tolist() == ['{"k": [1, 2]}', ""]
    jsonl = write(tmp_path / "lists.jsonl", json.dumps({"text": ["a b", "c"], "label": 1, "n": [1, "x"]}) + "\n")
    assert load(jsonl).texts == ["a b\nc"] and load(jsonl).rows["n"].tolist() == ['[1, "x"]']


@pytest.mark.parametrize("header, row, message", [
    ("text,label,Label", "words,0,1", "columns 'label' and 'Label' differ only in case.*--label-col"),
    ("text,label,is_fake", "words,0,true", "columns 'label' and 'is_fake' both hold labels.*--label-col"),
    ("text,text,label", "short,the body,0", "names 'text' more than once.*--text-cols"),
    ("title,text,content,label", "t,a,b,1", "both 'text' and 'content' could hold the article.*title,content"),
    ("Text,content,label", "a,b,1", "both 'Text' and 'content' could hold.*e.g. --text-cols content$"),
    ("Text,TEXT,label", "a,b,0", "columns 'Text' and 'TEXT' differ only in case"),
])
def test_a_column_that_could_be_one_of_two_is_an_error_not_a_guess(tmp_path, header, row, message):
    path = write(tmp_path / "two.csv", f"{header}\n{row}\n")
    with pytest.raises(DataError, match=message) as err:
        load(path)
    assert str(path) in str(err.value)


def test_a_second_label_like_column_that_holds_no_labels_is_no_rival(tmp_path):
    path = write(tmp_path / "topics.csv", "title,text,label,class\nt,x,0,politics\nu,y,1,sport\n")
    assert load(path).labels.tolist() == [0, 1]


def test_naming_the_column_settles_which_one(tmp_path):
    path = write(tmp_path / "two.csv", "text,label,Label\nwords,0,1\n")
    assert load(path, label_col="Label").labels.tolist() == [1]
    assert load(path, label_col="label").labels.tolist() == [0]
    path = write(tmp_path / "three.csv", "title,text,content,label\nt,a,b,1\n")
    assert load(path, text_cols=("title", "content")).texts == ["t b"]


def test_malformed_jsonl_names_the_line(tmp_path):
    path = write(tmp_path / "bad.jsonl", '{"text": "a", "label": 0}\n{"text": oops}\n')
    with pytest.raises(DataError, match="line 2 is not valid JSON"):
        load(path)


def test_unsupported_suffix(tmp_path):
    with pytest.raises(DataError, match="unsupported file type '.xlsx'"):
        load(write(tmp_path / "a.xlsx", "x"))


def test_strip_dateline():
    assert strip_dateline("WASHINGTON (Reuters) - The Senate voted.") == "The Senate voted."
    assert strip_dateline("MARRAKESH, Morocco/CHICAGO (Reuters) - Shares rose.") == "Shares rose."
    assert strip_dateline("(Reuters) - Short.") == "Short."
    assert strip_dateline("No dateline (Reuters) mention later.") == "No dateline (Reuters) mention later."


def test_strip_datelines_option_applies_to_body_only(tmp_path):
    path = write(tmp_path / "r.csv", 'title,text,label\nHead,"LONDON (Reuters) - Body",0\n')
    assert load(path, strip_datelines=True).texts == ["Head Body"]
    assert load(path).texts == ["Head LONDON (Reuters) - Body"]


def test_fingerprints_ignore_case_and_whitespace():
    a, b, c = fingerprints(["Hello  World", "hello world\n", "hello there"])
    assert a == b != c


def test_spec_parsing_and_data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "mydata"
    folder.mkdir()
    write(folder / "data.csv", "text,label\na,0\n")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    spec = DataSpec.parse("ext=mydata:fake")
    assert (spec.name, spec.label, spec.path, spec.key) == ("ext", 1, folder / "data.csv", "mydata")
    with pytest.raises(DataError, match="datasets in .*mydata"):
        DataSpec.parse("nosuch")
    monkeypatch.delenv(DATA_DIR_ENV)
    with pytest.raises(DataError, match=f"set {DATA_DIR_ENV}"):
        DataSpec.parse("nosuch")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(DataError, match="is not a folder"):
        DataSpec.parse("nosuch")


@pytest.mark.skipif(not os.environ.get(DATA_DIR_ENV), reason=f"{DATA_DIR_ENV} not set")
@pytest.mark.parametrize("name", ["fakenewsamt_celebrity", "welfake_sample", "isot_samples"])
def test_shared_datasets_load_with_every_row_accounted_for(name):
    stats = json.loads(open(os.path.join(os.environ[DATA_DIR_ENV], name, "stats.json")).read())
    ds = load_dataset([DataSpec.parse(name)])
    assert ds.n_input == stats["rows"] == len(ds) + len(ds.skipped)
    assert int((ds.labels == 1).sum()) <= stats["fake"]


def test_where_keeps_rows_with_a_column_value_and_accounts_for_the_rest(tmp_path):
    frame = pd.DataFrame({"text": [f"story {i}" for i in range(12)], "label": [i % 2 for i in range(12)],
                          "setting": ["adv_A", "adv_B", "original"] * 4})
    frame.to_csv(tmp_path / "s.csv", index=False)
    spec = [DataSpec.parse(str(tmp_path / "s.csv"))]
    ds = load_dataset(spec, where={"setting": ("adv_A", "original")})
    assert sorted(set(ds.rows["setting"])) == ["adv_A", "original"] and len(ds) == 8
    assert ds.skipped_counts() == {"filtered_out": 4} and ds.n_input == 12
    with pytest.raises(DataError, match="did you mean 'setting'"):
        load_dataset(spec, where={"settings": ("adv_A",)})


def test_where_needs_col_equals_value():
    from newsbench.config import EvalConfig
    from newsbench.errors import ConfigError

    assert EvalConfig(model="fake", data=["x"], where=["a=1", "a=2", "b=x"]).filters() == {"a": ("1", "2"),
                                                                                           "b": ("x",)}
    with pytest.raises(ConfigError, match="expected COL=VALUE"):
        EvalConfig(model="fake", data=["x"], where=["setting"])


def test_text_with_nothing_visible_is_skipped_as_empty(tmp_path):
    texts = ["\u200b\u200c\u200d\ufeff", "\x00\x01\x7f", "\u00a0 \u2060", "real words", "\U0001f600"]
    frame = pd.DataFrame({"text": texts, "label": [0, 1, 0, 1, 1]})
    frame.to_csv(tmp_path / "invisible.csv", index=False)
    ds = load(tmp_path / "invisible.csv")
    assert ds.texts == ["real words", "\U0001f600"] and ds.skipped_counts() == {"empty_text": 3}


def test_streamed_files_name_the_line_and_offset_of_bytes_that_are_not_utf8(tmp_path):
    from newsbench.tables import iter_table

    rows = "".join(f"{'x' * 900} row {i},0\n" for i in range(20))  # past the 8 KB read buffer
    path = write(tmp_path / "latin.csv", ("text,label\n" + rows).encode() + "caf\u00e9,1\n".encode("latin-1"))
    offset = len(("text,label\n" + rows).encode()) + 3
    for read in (lambda: load(path), lambda: list(iter_table(path))):
        with pytest.raises(DataError, match=f"line 22 is not valid utf-8 .byte 0xe9 at offset {offset}."):
            read()


def test_a_model_card_with_wrong_types_or_no_threshold_is_refused(tmp_path):
    from newsbench.config import TrainConfig
    from newsbench.evaluation import load_model_card
    from newsbench.training import train

    pd.DataFrame({"text": [f"{w} story {i}" for i, w in enumerate(["calm", "shock"] * 30)],
                  "label": [0, 1] * 30}).to_csv(tmp_path / "t.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "t.csv")], out=tmp_path / "m", recipe="style-lr"))
    card = json.loads((tmp_path / "m" / "model.json").read_text())
    for edit, message in [({"preprocessing": {**card["preprocessing"], "strip_datelines": "no"}},
                           "preprocessing.strip_datelines: expected true or false, found 'no'"),
                          ({"threshold": None}, "threshold nan is not a probability in .0, 1."),
                          ({"threshold": 2.0}, "threshold 2.0 is not a probability"),
                          ({"recipe": 5}, "recipe: expected a string, found 5")]:
        (tmp_path / "m" / "model.json").write_text(json.dumps({**card, **edit}))
        with pytest.raises(DataError, match=message) as err:
            load_model_card(str(tmp_path / "m"))
        assert "model.json" in str(err.value)


def test_bad_bytes_after_a_byte_order_mark_are_placed_in_the_file_as_it_is(tmp_path):
    from newsbench.tables import iter_table

    path = write(tmp_path / "bom.csv", b"\xef\xbb\xbftext,label\nabc,0\ncaf\xe9 au lait,1\n")
    for read in (lambda: load(path), lambda: list(iter_table(path))):
        with pytest.raises(DataError, match="line 3 is not valid utf-8 .byte 0xe9 at offset 23."):
            read()
