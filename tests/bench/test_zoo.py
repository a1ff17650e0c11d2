"""stgcn-pyg bench --only zoo: ST-GCN++, AAGCN and CTR-GCN against pyskl's code in one process
(tiny shapes here; the recorded rows are in experiments/results/zoo.jsonl)."""
import dataclasses

from helpers import check_image
from pyskl_reference import ROOT, needs_pyskl

from stgcn_pyg.bench import suite, zoo
from stgcn_pyg.cli import main


@needs_pyskl
def test_zoo_rows_table_and_plot(tmp_path):
    config = dataclasses.replace(suite.QUICK, repeats=1, pyskl=str(ROOT),
                                 zoo_shapes={"tiny ntu": (2, 3, 8, 25, 2),
                                             "tiny ucla": (2, 3, 8, 20, 1)})
    results = suite.run(config, ["zoo"], log=lambda _: None)
    rows = results["zoo"]
    assert [(r["network"], r["shape"]) for r in rows] == [
        (n, s) for n in zoo.NETWORKS for s in ("tiny ntu", "tiny ucla")]
    for row in rows:
        assert row["params_ours"] == row["params_pyskl"]
        assert row["train_ms_ours"] > 0 and row["infer_ms_pyskl"] > 0
        assert row["train_peak_mib_ours"] > 0 and row["gflops_per_sample"] > 0
        assert row["peak_gflop_per_s"] > 0 and row["gflops_per_sample_pyskl"] > 0
        assert row["infer_gflop_per_s_ours"] > 0 and row["infer_gflop_per_s_pyskl"] > 0
    text = suite.markdown(results)
    assert "## The zoo against pyskl" in text and "| aagcn | tiny ucla |" in text
    assert "% of fp32 matmul peak" in text
    paths = suite.write(results, tmp_path)
    check_image(tmp_path / "zoo.png")
    assert tmp_path / "zoo.png" in paths


def test_cli_zoo_needs_the_pyskl_folder(tmp_path, capsys):
    assert main(["bench", "--only", "zoo"]) == 2
    assert "--pyskl: the zoo section compares against pyskl's source" in capsys.readouterr().err
    assert main(["bench", "--only", "zoo", "--pyskl", str(tmp_path)]) == 2
    assert "no pyskl/models/gcns under" in capsys.readouterr().err
