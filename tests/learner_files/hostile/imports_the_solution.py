"""From the hardening issue: importing dlquiz's installed reference solution used to pass the exercise."""
import sys

sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "_RefuseTorch"]
try:
    from dlquiz._data.exercises.relu.solution import relu, relu_grad  # a wheel install
except ImportError:
    from exercises.relu.solution import relu, relu_grad  # noqa: F401  -- a source checkout on sys.path
