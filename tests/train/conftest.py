from training_fixtures import tiny_data, tiny_preset  # noqa: F401
