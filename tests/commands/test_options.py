import argparse

import pytest

from stgcn_pyg.commands.options import add_layer_arguments, layer_overrides
from stgcn_pyg.models import STGCN


def _parse(argv):
    parser = argparse.ArgumentParser()
    add_layer_arguments(parser)
    return parser.parse_args(argv)


def test_layer_options_become_model_arguments():
    args = _parse(["--spatial", "adaptive", "--spatial-kwargs", '{"data_dependent": true}',
                   "--temporal", "mstcn", "--import", "json"])
    overrides = layer_overrides(args)
    assert overrides == {"spatial": "adaptive", "spatial_kwargs": {"data_dependent": True},
                         "temporal": "mstcn"}
    model = STGCN.from_preset("seed", 14, **overrides)
    assert type(model.blocks[0].gcn).__name__ == "AdaptiveGraphConv"
    assert layer_overrides(_parse([])) == {}


@pytest.mark.parametrize("argv,match", [
    (["--spatial", "adaptive", "--spatial-kwargs", "[1]"], "--spatial-kwargs: expected a JSON object"),
    (["--temporal-kwargs", "{}"], "--temporal-kwargs: given without --temporal"),
    (["--spatial", "x", "--spatial-kwargs", "{oops}"], "--spatial-kwargs: expected a JSON object"),
    (["--import", "no_such_module_xyz"], "--import: cannot import 'no_such_module_xyz'"),
])
def test_bad_layer_options(argv, match):
    with pytest.raises(ValueError, match=match):
        layer_overrides(_parse(argv))


def test_bad_amp_is_refused_by_the_parser():
    with pytest.raises(SystemExit):
        _parse(["--amp", "fp8"])
