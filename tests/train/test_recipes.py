import math

import pytest

from stgcn_pyg.train import RECIPES, get_recipe


def test_seed_recipe_is_the_notebooks():
    r = RECIPES["seed"]
    assert (r.lr, r.momentum, r.nesterov, r.weight_decay, r.batch_size, r.schedule) == \
        (0.01, 0.9, False, 0.0, 64, "constant")
    assert not r.augment and r.warmup_epochs == 0 and r.label_smoothing == 0
    assert all(r.lr_factor(10, 5)(step) == 1.0 for step in range(50))


def test_warmup_then_cosine():
    factor = get_recipe("default", warmup_epochs=2).lr_factor(epochs=10, steps_per_epoch=5)
    assert [factor(s) for s in range(3)] == pytest.approx([0.1, 0.2, 0.3])
    assert factor(9) == pytest.approx(1.0) and factor(10) == pytest.approx(1.0)
    assert factor(30) == pytest.approx(0.5 * (1 + math.cos(math.pi * 20 / 40)))
    assert factor(49) < 0.01


def test_step_schedule():
    factor = get_recipe("default", schedule="step", warmup_epochs=0, milestones=(2, 4),
                        gamma=0.5).lr_factor(6, 3)
    assert [factor(s) for s in (0, 5, 6, 11, 12)] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_bad_settings():
    with pytest.raises(ValueError, match="recipe: expected one of"):
        get_recipe("fast")
    with pytest.raises(ValueError, match="schedule: expected one of"):
        get_recipe("default", schedule="poly")
    with pytest.raises(ValueError, match=r"recipe: unknown settings \['lrate'\]"):
        get_recipe("default", lrate=1)


def test_rotation_range():
    assert get_recipe("default").rotation == (10.0, 45.0, 10.0)
    recipe = get_recipe("default", rotation=[0, 30, 0])
    assert recipe.rotation == (0.0, 30.0, 0.0) and recipe.to_dict()["rotation"] == [0, 30, 0]
    for bad in ([0, 30], [0, -1, 0], [0, float("inf"), 0]):
        with pytest.raises(ValueError, match=r"rotation: expected 3 finite angles >= 0"):
            get_recipe("default", rotation=bad)
