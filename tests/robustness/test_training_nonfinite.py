"""Training with nan and inf: TrainingDiverged tells the truth, evaluate warns.

Before: TrainingDiverged always said "The parameters still hold the values of the last good
step", even when they held nan; evaluate returned {"loss": nan} without a word.
Now the error says whether the parameters are finite (and unchanged by the bad batch) or names
those that hold nan/inf (`err.nonfinite`, names from named_parameters()); evaluate gives a
UserWarning (not a RuntimeWarning: those are errors under pytest here) with the batch counts.
"""

import warnings

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD
from tinytorch.core.tensor import manual_seed
from tinytorch.core.training import Trainer, TrainingDiverged

pytestmark = pytest.mark.needs("training")


def batches(n=4, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 2)).astype(np.float32), rng.integers(0, 2, 8)) for _ in range(n)]


def mlp():
    manual_seed(0)
    return Sequential(Linear(2, 4), ReLU(), Linear(4, 2))


def test_a_bad_batch_with_finite_parameters_says_they_are_finite_and_unchanged():
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    data = batches()
    trainer.train_epoch(data)
    after_good_steps = [p.data.copy() for p in model.parameters()]
    poisoned = data[:1] + [(np.full((8, 2), np.nan, dtype=np.float32), data[1][1])]
    with pytest.raises(TrainingDiverged) as err:
        trainer.train_epoch(poisoned)
    assert err.value.nonfinite == []
    assert "every parameter is finite" in str(err.value) and "after step 5" in str(err.value)
    # True: one more good step ran (batch 1), and the nan batch changed nothing after it.
    assert trainer.step == 5
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())
    assert any(not np.array_equal(p.data, a) for p, a in zip(model.parameters(), after_good_steps))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow itself warns inside NumPy
def test_parameters_an_update_made_infinite_are_named_and_the_message_does_not_claim_otherwise():
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=1e39), CrossEntropyLoss())  # float32 overflows
    with pytest.raises(TrainingDiverged) as err:
        trainer.train_epoch(batches())
    broken = [name for name, p in model.named_parameters() if not np.all(np.isfinite(p.data))]
    assert broken and err.value.nonfinite == broken                 # exactly the broken ones
    message = str(err.value)
    assert all(name in message for name in broken[:5]) and "broken" in message
    assert "finite and holds" not in message and "last good step" not in message


def test_without_named_parameters_the_parameters_are_named_by_their_index():
    class Bare:                                     # a model without named_parameters()
        def __init__(self):
            self.inner = Linear(2, 2)

        def parameters(self):
            return self.inner.parameters()

        def train(self, mode=True):
            self.inner.train(mode)

        def __call__(self, x):
            return self.inner(x)

    model = Bare()
    model.inner.bias.data[1] = np.nan
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    with pytest.raises(TrainingDiverged) as err:
        trainer.train_epoch(batches())
    assert err.value.nonfinite == ["parameter 1"] and "parameter 1" in str(err.value)


def test_evaluate_warns_when_the_loss_is_not_finite():
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    data = batches()
    data[2] = (np.full((8, 2), np.nan, dtype=np.float32), data[2][1])
    with pytest.warns(UserWarning) as caught:
        result = trainer.evaluate(data)
    assert np.isnan(result["loss"])
    (warning,) = [w for w in caught if "loss" in str(w.message)]
    assert warning.category is UserWarning                          # not a RuntimeWarning
    assert "1 of 4 batches" in str(warning.message) and "batch 3" in str(warning.message)
    assert warning.filename == __file__                             # points at the evaluate call


def test_evaluate_with_finite_losses_does_not_warn():
    model = mlp()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(trainer.evaluate(batches())["loss"])


def test_training_diverged_is_still_a_runtime_error_with_a_message():
    error = TrainingDiverged("stopped")
    assert isinstance(error, RuntimeError) and str(error) == "stopped" and error.nonfinite == []
